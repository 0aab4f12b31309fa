package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentProvider;
import io.helix.testkit.NodeScripts;
import io.helix.testkit.PluginJar;
import io.helix.testkit.TestRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The packaged server with an agents file whose agent uses a real third-party MCP server, {@code
 * @modelcontextprotocol/server-everything} over stdio (pinned in mcp/src/test/node), and a
 * plugin's scripted model that calls its {@code get-sum} tool: the result reaches the model and the
 * stream; the MCP server killed with {@code kill -9} is restarted and the next run works again.
 */
@Tag("slow")
class McpAgentsFileIT {

  private static final Path EVERYTHING =
      Path.of("../mcp/src/test/node/node_modules/@modelcontextprotocol/server-everything/dist/index.js")
          .toAbsolutePath()
          .normalize();

  /** A model that calls everything__get-sum(2, 3), then says what the tool answered. */
  private static final String MODEL_PLUGIN =
      """
      package acme;

      import io.helix.agent.AgentDefinition;
      import io.helix.agent.AgentProvider;
      import io.helix.json.Json;
      import io.helix.model.ModelClient;
      import io.helix.model.ScriptedModel;
      import io.helix.model.ToolResultMessage;
      import java.time.Duration;
      import java.util.List;
      import java.util.Map;

      public final class SumModel implements AgentProvider {
        @Override
        public List<AgentDefinition> agents() {
          return List.of();
        }

        @Override
        public Map<String, ModelClient> modelClients() {
          return Map.of("sums", ScriptedModel.uncounted(request -> {
            if (request.step() == 1) {
              return List.of(
                  ScriptedModel.toolCall("c1", "everything__get-sum",
                      Json.object().put("a", 2).put("b", 3)),
                  ScriptedModel.finish("tool_calls", 5, 5));
            }
            ToolResultMessage last =
                (ToolResultMessage) request.messages().get(request.messages().size() - 1);
            return ScriptedModel.answer(
                "model saw: " + (last.success() ? last.result().asText() : "error " + last.error()));
          }, Duration.ZERO));
        }
      }
      """;

  @Test
  void anAgentOfTheFileCallsAStdioMcpServerThatIsRestartedAfterKill9() throws Exception {
    String node = NodeScripts.node("npm ci --prefix mcp/src/test/node", EVERYTHING);
    Path dir = Files.createTempDirectory("helix-mcp");
    PluginJar.build(
        dir.resolve("plugins").resolve("sums.jar"),
        Map.of("acme.SumModel", MODEL_PLUGIN),
        Map.of(AgentProvider.class.getName(), "acme.SumModel"));
    Path agentsFile = dir.resolve("agents.yaml");
    Files.writeString(
        agentsFile,
        """
        mcpServers:
          everything:
            command: ["%s", "%s", "stdio"]
        agents:
          - name: summer
            systemPrompt: You add with the tools you have.
            model: sums:v1
            mcpServers: [everything]
        """
            .formatted(node, EVERYTHING));
    try (ServerProcess server =
        new ServerProcess(
            dir,
            Map.of(
                "HELIX_PLUGINS_DIR", dir.resolve("plugins").toString(),
                "HELIX_AGENTS_FILE", agentsFile.toString()),
            List.of())) {
      server.start();
      String agents = server.get("/agent/agents").body().toString();
      assertTrue(agents.contains("everything__get-sum"), "offered to the model: " + agents);

      assertSumRun(server, "mcp-1");
      ProcessHandle mcp = mcpServer(server).orElseThrow(() -> new AssertionError("no MCP server process"));
      mcp.destroyForcibly(); // kill -9
      mcp.onExit().get();
      TestRuntime.awaitCondition(
          () -> mcpServer(server).filter(p -> p.pid() != mcp.pid()).isPresent(),
          Duration.ofSeconds(30));
      assertNotEquals(mcp.pid(), mcpServer(server).orElseThrow().pid(), "a new MCP server process");
      assertSumRun(server, "mcp-2");
    }
  }

  private static void assertSumRun(ServerProcess server, String runId) throws Exception {
    server.post("/agent/execute", "{\"agentType\":\"summer\",\"message\":\"2+3?\",\"runId\":\"" + runId + "\"}");
    TestRuntime.awaitCondition(() -> "completed".equals(server.status(runId)), Duration.ofSeconds(60));
    JsonNode result = server.get("/agent/result/" + runId).body();
    assertEquals("model saw: The sum of 2 and 3 is 5.", result.get("output").asText(), result.toString());
    List<ServerProcess.SseEvent> events = server.readStream("/agent/stream/" + runId, null);
    JsonNode toolEnd =
        events.stream()
            .map(ServerProcess.SseEvent::data)
            .filter(d -> d.path("type").asText().equals("tool_end"))
            .findFirst()
            .orElseThrow();
    assertEquals("everything__get-sum", toolEnd.get("toolName").asText());
    assertEquals("The sum of 2 and 3 is 5.", toolEnd.get("result").asText(), toolEnd.toString());
  }

  /** The node process the server started for the MCP server. */
  private static Optional<ProcessHandle> mcpServer(ServerProcess server) {
    return server.process().descendants()
        .filter(p -> p.isAlive() && p.info().commandLine().orElse("").contains("server-everything"))
        .findFirst();
  }
}
