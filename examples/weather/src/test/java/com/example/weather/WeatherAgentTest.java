package com.example.weather;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.helix.client.Chunk;
import io.helix.client.ChunkStream;
import io.helix.client.Execution;
import io.helix.client.HelixClient;
import io.helix.client.RunResult;
import io.helix.client.RunStatus;
import io.helix.json.Json;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.model.ToolResultMessage;
import io.helix.server.HelixServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The weather agent on a real Helix node, followed through the Java client over HTTP, with a
 * scripted model in place of an LLM.
 */
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
      HelixClient helix = HelixClient.create("http://127.0.0.1:" + server.httpPort());
      Execution run = helix.execute("weather", "Weather in Lisbon?");
      StringBuilder streamed = new StringBuilder();
      try (ChunkStream chunks = helix.stream(run.runId())) {
        for (Chunk chunk : chunks) {
          if (chunk instanceof Chunk.TextDelta text) {
            streamed.append(text.delta());
          }
        }
      }
      RunResult result = helix.result(run.runId(), Duration.ofSeconds(30));
      assertEquals(RunStatus.COMPLETED, result.status(), String.valueOf(result));
      assertEquals("It is 21 °C and sunny in Lisbon.", result.output().asText());
      assertEquals("It is 21 °C and sunny in Lisbon.", streamed.toString());
    }
  }
}
