package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.AgentProvider;
import io.helix.testkit.PluginJar;
import io.helix.testkit.TestRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The packaged server with what an operator drops in: a plugin jar compiled on its own against
 * helix-runtime, and an agents file. Broken ones stop the start, naming what is wrong; so does an
 * API open to the network without authentication.
 */
@Tag("slow")
class PluginIT {

  private static final String PLUGIN =
      """
      package acme;

      import io.helix.agent.AgentDefinition;
      import io.helix.agent.AgentProvider;
      import io.helix.agent.Tool;
      import java.util.List;
      import java.util.concurrent.CompletableFuture;

      public final class AcmeAgents implements AgentProvider {
        public record Text(String text) {}

        static final Tool SHOUT = Tool.of("shout", "Upper-cases a text", Text.class,
            (input, ctx) -> CompletableFuture.completedFuture(input.text().toUpperCase()));

        @Override
        public List<AgentDefinition> agents() {
          return List.of(AgentDefinition.builder("acme-helper")
              .description("Acme's helper")
              .systemPrompt("You help Acme.")
              .model("offline:builtin")
              .tools(SHOUT)
              .build());
        }

        @Override
        public List<Tool> tools() {
          return List.of(SHOUT);
        }
      }
      """;

  @Test
  void aPluginJarAndAnAgentsFileAddAgentsThatRunOverHttp() throws Exception {
    Path dir = Files.createTempDirectory("helix-plugins");
    PluginJar.build(
        dir.resolve("plugins").resolve("acme.jar"),
        Map.of("acme.AcmeAgents", PLUGIN),
        Map.of(AgentProvider.class.getName(), "acme.AcmeAgents"));
    Path agentsFile = dir.resolve("agents.yaml");
    Files.writeString(
        agentsFile,
        """
        agents:
          - name: file-helper
            description: declared in a file
            systemPrompt: You compute.
            model: offline:builtin
            tools: [calculator, shout]
        """);
    try (ServerProcess server =
        new ServerProcess(
            dir,
            Map.of(
                "HELIX_PLUGINS_DIR", dir.resolve("plugins").toString(),
                "HELIX_AGENTS_FILE", agentsFile.toString()),
            List.of("-Dhelix.offline-model.pause=1ms"))) {
      server.start();
      String agents = server.get("/agent/agents").body().toString();
      assertTrue(agents.contains("\"acme-helper\"") && agents.contains("\"file-helper\""), agents);
      assertTrue(agents.contains("\"research\""), "the example agents are still there: " + agents);
      for (String agent : List.of("acme-helper", "file-helper")) {
        String runId =
            server
                .post("/agent/execute", "{\"agentType\":\"" + agent + "\",\"message\":\"what is 2+3?\"}")
                .body()
                .get("runId")
                .asText();
        TestRuntime.awaitCondition(
            () -> "completed".equals(server.status(runId)), Duration.ofSeconds(30));
      }
    }
  }

  @Test
  void aBrokenPluginOrAgentsFileStopsTheStart() throws Exception {
    Path dir = Files.createTempDirectory("helix-plugins");
    PluginJar.build(
        dir.resolve("plugins").resolve("broken.jar"),
        Map.of("acme.AcmeAgents", PLUGIN),
        Map.of(AgentProvider.class.getName(), "acme.NoSuchProvider"));
    try (ServerProcess server =
        new ServerProcess(dir, Map.of("HELIX_PLUGINS_DIR", dir.resolve("plugins").toString()), List.of())) {
      int exit = server.startAndAwaitExit(Duration.ofSeconds(60));
      assertNotEquals(0, exit);
      String log = server.logText();
      assertTrue(log.contains("broken.jar") && log.contains("acme.NoSuchProvider"), log);
    }
    Path agentsFile = dir.resolve("agents.yaml");
    Files.writeString(
        agentsFile,
        "agents:\n  - name: x\n    systemPrompt: p\n    model: offline:builtin\n    tools: [nope]\n");
    try (ServerProcess server =
        new ServerProcess(dir, Map.of("HELIX_AGENTS_FILE", agentsFile.toString()), List.of())) {
      assertEquals(1, server.startAndAwaitExit(Duration.ofSeconds(60)));
      String log = server.logText();
      assertTrue(log.contains(agentsFile + ": agent 'x'.tools: no tool named 'nope'"), log);
    }
  }

  @Test
  void anOpenAddressWithoutAuthenticationDoesNotStart() throws Exception {
    Path dir = Files.createTempDirectory("helix-open");
    try (ServerProcess server =
        new ServerProcess(dir, Map.of("HELIX_HTTP_HOST", "0.0.0.0"), List.of())) {
      assertEquals(1, server.startAndAwaitExit(Duration.ofSeconds(60)));
      String log = server.logText();
      assertTrue(
          log.contains("the HTTP API would listen on 0.0.0.0 with no authentication"), log);
    }
  }

  @Test
  void theLogIsOneJsonObjectPerLineWhenAsked() throws Exception {
    Path dir = Files.createTempDirectory("helix-json-log");
    String log;
    try (ServerProcess server = new ServerProcess(dir, Map.of("HELIX_LOG_FORMAT", "json"), List.of())) {
      server.start();
      log = server.logText();
    }
    boolean ready = false;
    for (String line : log.split("\n")) {
      if (line.isBlank() || line.startsWith("Picked up")) {
        continue;
      }
      com.fasterxml.jackson.databind.JsonNode entry = io.helix.json.Json.parse(line);
      assertTrue(entry.has("level") && entry.has("loggerName") && entry.has("mdc"), line);
      ready |= entry.path("formattedMessage").asText().startsWith("Helix server ready");
    }
    assertTrue(ready, "the start is logged as JSON: " + log);
  }
}
