package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.helix.json.Json;
import io.helix.model.ScriptedModel;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A complete node from a user's own main: the builder's agent and model, served over HTTP. */
class HelixServerBuilderTest {

  @Test
  void theBuildersAgentRunsOverHttp() throws Exception {
    Path dir = Files.createTempDirectory("helix-builder");
    try (HelixServer server =
        HelixServer.builder()
            .config(
                ConfigFactory.parseMap(
                        Map.of(
                            "helix.data-dir", dir.resolve("data").toString(),
                            "helix.plugins-dir", dir.resolve("plugins").toString(),
                            "helix.http.port", 0,
                            "pekko.management.http.port", 0,
                            "pekko.management.http.bind-port", 0,
                            "pekko.remote.artery.canonical.port", 0,
                            "pekko.coordinated-shutdown.exit-jvm", "off"))
                    .withFallback(ConfigFactory.load()))
            .agents(TestAgents.adder("adder", 5))
            .modelClient("scripted", new ScriptedModel(TestAgents::addThenAnswer))
            .start()) {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.httpPort();
      HttpResponse<String> agents =
          http.send(HttpRequest.newBuilder(URI.create(base + "/agent/agents")).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode names = Json.parse(agents.body()).get("agents");
      assertTrue(names.toString().contains("\"adder\""), agents.body());
      HttpResponse<String> started =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/agent/execute"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"agentType\":\"adder\",\"message\":\"2+3\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(202, started.statusCode(), started.body());
      String runId = Json.parse(started.body()).get("runId").asText();
      HttpResponse<String> result =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/agent/result/" + runId + "?wait=20"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode run = Json.parse(result.body());
      assertEquals("completed", run.get("status").asText(), result.body());
      assertEquals("The sum is 5.", run.get("output").asText());
    }
  }
}
