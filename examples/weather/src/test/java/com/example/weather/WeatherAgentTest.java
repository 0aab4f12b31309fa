package com.example.weather;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.helix.json.Json;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.model.ToolResultMessage;
import io.helix.server.HelixServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The weather agent on a real Helix node, over HTTP, with a scripted model in place of an LLM. */
class WeatherAgentTest {

  /** Asks for the forecast, then answers with what the tool returned. */
  private static List<ModelEvent> script(ModelRequest request) {
    if (request.step() == 1) {
      return List.of(
          ScriptedModel.toolCall("call-1", "forecast", Json.object().put("city", "Lisbon")),
          ScriptedModel.finish("tool_calls", 10, 5));
    }
    ToolResultMessage forecast =
        (ToolResultMessage) request.messages().get(request.messages().size() - 1);
    return ScriptedModel.answer(
        "It is " + forecast.result().get("celsius").asInt() + " °C and "
            + forecast.result().get("sky").asText() + " in Lisbon.");
  }

  @Test
  void answersWithTheForecast() throws Exception {
    Path dir = Files.createTempDirectory("weather");
    try (HelixServer server =
        HelixServer.builder()
            .config(
                ConfigFactory.parseMap(
                        Map.of(
                            "helix.data-dir", dir.toString(),
                            "helix.http.port", 0,
                            "pekko.management.http.port", 0,
                            "pekko.remote.artery.canonical.port", 0,
                            "pekko.coordinated-shutdown.exit-jvm", "off"))
                    .withFallback(ConfigFactory.load()))
            .agents(WeatherAgent.agent("scripted:weather"))
            .modelClient("scripted", new ScriptedModel(WeatherAgentTest::script))
            .start()) {
      HttpClient http = HttpClient.newHttpClient();
      ObjectMapper json = new ObjectMapper();
      String base = "http://127.0.0.1:" + server.httpPort();
      HttpResponse<String> started =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/agent/execute"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(
                      "{\"agentType\":\"weather\",\"message\":\"Weather in Lisbon?\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      String runId = json.readTree(started.body()).get("runId").asText();
      HttpResponse<String> result =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/agent/result/" + runId + "?wait=30"))
                  .timeout(Duration.ofSeconds(40))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode run = json.readTree(result.body());
      assertEquals("completed", run.get("status").asText(), result.body());
      assertEquals("It is 21 °C and sunny in Lisbon.", run.get("output").asText());
    }
  }
}
