package io.helix.mcp;

import static io.helix.mcp.McpRestartTest.kill9;
import static io.helix.testkit.TestRuntime.await;
import static io.helix.testkit.TestRuntime.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.model.Message;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.model.ToolResultMessage;
import io.helix.model.ToolSpec;
import io.helix.stream.StreamChunk;
import io.helix.testkit.TestRuntime;
import io.helix.testkit.TestToolContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Agents on the runtime with the real server-everything over stdio: the model calls {@code
 * <server>__<tool>}, the result reaches its next request and the stream; a server killed while a
 * run's call is in flight fails that call as a tool error, and is restarted for the next run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpAgentTest {

  private final List<ModelRequest> requests = new CopyOnWriteArrayList<>();
  private McpToolSource everything;
  private McpToolSource crashy;
  private TestRuntime runtime;

  @BeforeAll
  void start() throws Exception {
    everything = McpTools.server(TestServers.everything("everything", Map.of()), TestServers.settings());
    crashy = McpTools.server(TestServers.everything("crashy", Map.of()), TestServers.settings());
    await(everything.ready());
    await(crashy.ready());
    AgentRegistry agents =
        new AgentRegistry()
            .register(agent("summer", everything))
            .register(agent("crasher", crashy));
    runtime =
        TestRuntime.start(agents, new ModelCatalog().register("scripted", new ScriptedModel(this::script)));
  }

  private static AgentDefinition agent(String name, McpToolSource source) {
    return AgentDefinition.builder(name)
        .systemPrompt("You use MCP tools.")
        .model("scripted:test")
        .toolSource(source)
        .build();
  }

  @AfterAll
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
    if (everything != null) {
      everything.close();
    }
    if (crashy != null) {
      crashy.close();
    }
  }

  /** Step 1 calls the tool the run's id names; step 2 answers with what the tool gave back. */
  private List<ModelEvent> script(ModelRequest request) {
    requests.add(request);
    if (request.step() == 1) {
      JsonNode arguments =
          request.runId().startsWith("long")
              ? Json.object().put("duration", 60).put("steps", 1)
              : Json.object().put("a", 2).put("b", 3);
      String tool =
          request.runId().startsWith("long")
              ? "crashy__trigger-long-running-operation"
              : request.runId().startsWith("crashy") ? "crashy__get-sum" : "everything__get-sum";
      return List.of(
          ScriptedModel.toolCall("call-1", tool, arguments), ScriptedModel.finish("tool_calls", 5, 5));
    }
    ToolResultMessage last = lastToolResult(request);
    return ScriptedModel.answer(last.success() ? last.result().asText() : "tool failed: " + last.error());
  }

  private static ToolResultMessage lastToolResult(ModelRequest request) {
    Message last = request.messages().get(request.messages().size() - 1);
    return (ToolResultMessage) last;
  }

  private ModelRequest request(String runId, int step) {
    return requests.stream()
        .filter(r -> r.runId().equals(runId) && r.step() == step)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no request for step " + step + " of " + runId));
  }

  private JsonNode toolEnd(AgentHandle handle) throws Exception {
    List<StreamChunk> chunks = await(handle.stream(0).runWith(Sink.seq(), runtime.testKit.system()));
    return chunks.stream()
        .filter(c -> c.type().equals("tool_end"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no tool_end chunk"))
        .toJson();
  }

  @Test
  void theModelCallsAnMcpToolAndItsResultReachesTheModelAndTheStream() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("summer", "add 2 and 3", "sum-1"));
    RunResult result = await(handle.result());

    assertEquals(RunStatus.completed, result.status(), result.error());
    assertEquals("The sum of 2 and 3 is 5.", result.output().asText());

    ToolSpec offered =
        request("sum-1", 1).tools().stream()
            .filter(t -> t.name().equals("everything__get-sum"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("everything__get-sum not offered to the model"));
    assertEquals("number", offered.inputSchema().at("/properties/a/type").asText());

    ToolResultMessage seen = lastToolResult(request("sum-1", 2));
    assertTrue(seen.success());
    assertEquals("everything__get-sum", seen.toolName());
    assertEquals("The sum of 2 and 3 is 5.", seen.result().asText());

    JsonNode toolEnd = toolEnd(handle);
    assertTrue(toolEnd.get("success").asBoolean(), toolEnd.toString());
    assertEquals("The sum of 2 and 3 is 5.", toolEnd.get("result").asText());
  }

  @Test
  void aServerKilledDuringARunsCallFailsThatCallAndIsRestartedForTheNext() throws Exception {
    long pid = crashy.pid().orElseThrow();
    int startsBefore = crashy.starts();
    AgentHandle handle = await(runtime.executor.execute("crasher", "take long", "long-1"));
    awaitCondition(() -> crashy.callsInFlight() == 1, Duration.ofSeconds(30));
    // the server answers in order: once a later call is answered, it has the run's call
    McpStdioTest.tool(crashy, "crashy__echo")
        .execute(Json.object().put("message", "barrier"), new TestToolContext())
        .toCompletableFuture()
        .get(30, java.util.concurrent.TimeUnit.SECONDS);

    kill9(pid);

    RunResult result = await(handle.result());
    assertEquals(RunStatus.completed, result.status(), result.error());
    assertTrue(
        result.output().asText().startsWith("tool failed: MCP server 'crashy' exited with code 137"),
        result.output().asText());
    JsonNode toolEnd = toolEnd(handle);
    assertFalse(toolEnd.get("success").asBoolean(), toolEnd.toString());
    assertTrue(toolEnd.get("error").asText().contains("exited with code 137"), toolEnd.toString());

    awaitCondition(() -> crashy.starts() == startsBefore + 1 && crashy.pid().isPresent(), Duration.ofSeconds(30));
    assertNotEquals(pid, crashy.pid().getAsLong());
    RunResult after = await(await(runtime.executor.execute("crasher", "add", "crashy-2")).result());
    assertEquals("The sum of 2 and 3 is 5.", after.output().asText());
  }
}
