package io.helix.run;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunConflictException;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.agent.Tool;
import io.helix.agent.UnknownAgentException;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.model.ToolResultMessage;
import io.helix.stream.StreamChunk;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentLoopTest {

  record Nothing() {}

  private final Tool failing =
      Tool.of(
          "explode",
          "always fails",
          Nothing.class,
          (input, ctx) -> CompletableFuture.failedFuture(new IllegalStateException("boom")));

  private final ScriptedModel model = new ScriptedModel(this::script);
  private final AgentRegistry agents =
      new AgentRegistry()
          .register(TestAgents.adder("adder", 5))
          .register(TestAgents.adder("looper", 3))
          .register(
              AgentDefinition.builder("exploder")
                  .systemPrompt("You explode.")
                  .model("scripted:test")
                  .tools(failing)
                  .build())
          .register(
              AgentDefinition.builder("unplugged").systemPrompt("none").model("nowhere:x").build());
  private final TestRuntime runtime =
      TestRuntime.start(agents, new ModelCatalog().register("scripted", model));

  private List<io.helix.model.ModelEvent> script(ModelRequest request) {
    String agent = request.systemPrompt();
    if (agent.equals("You explode.")) {
      if (request.step() == 1) {
        return List.of(
            ScriptedModel.toolCall("x1", "explode", Json.object()),
            ScriptedModel.finish("tool_calls", 1, 1));
      }
      ToolResultMessage last = (ToolResultMessage) request.messages().get(2);
      return ScriptedModel.answer("tool said: " + last.error());
    }
    if (request.runId().startsWith("loop")) {
      return TestAgents.alwaysCallTool(request);
    }
    return TestAgents.addThenAnswer(request);
  }

  @AfterAll
  void stop() {
    runtime.close();
  }


  private List<StreamChunk> chunks(AgentHandle handle, long from) throws Exception {
    return await(handle.stream(from).runWith(Sink.seq(), runtime.testKit.system()));
  }

  @Test
  void runsTheLoopWithToolCallsToAFinalAnswer() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("adder", "add 2 and 3", "sum-1"));
    RunResult result = await(handle.result());

    assertEquals(RunStatus.completed, result.status());
    assertEquals("The sum is 5.", result.output().asText());
    assertEquals(2, result.steps());
    assertEquals(12 + 10, result.usage().inputTokens());
    assertEquals(1, model.requests("sum-1", 1));
    assertEquals(1, model.requests("sum-1", 2));

    List<StreamChunk> chunks = chunks(handle, 0);
    List<String> types = chunks.stream().map(StreamChunk::type).toList();
    assertEquals(
        List.of(
            "run_start", "text_delta", "text_delta", "tool_start", "tool_end", "text_delta",
            "text_delta", "text_delta", "output", "run_end"),
        types);
    for (int i = 0; i < chunks.size(); i++) {
      assertEquals(i, chunks.get(i).seq(), "offsets are contiguous from 0");
    }
    JsonNode toolEnd = chunks.get(4).toJson();
    assertEquals("call-1", toolEnd.get("toolCallId").asText());
    assertTrue(toolEnd.get("success").asBoolean());
    assertEquals(5, toolEnd.get("result").get("sum").asInt());
    assertEquals("sum-1", toolEnd.get("agentId").asText());
    assertEquals(1, toolEnd.get("step").asInt());
    assertEquals(1, chunks.get(1).step(), "a delta belongs to the step being answered");
    assertEquals(2, chunks.get(5).step());
  }

  @Test
  void streamFromAnOffsetGivesExactlyTheRest() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("adder", "add", "resume-1"));
    await(handle.result());
    List<StreamChunk> all = chunks(handle, 0);
    List<StreamChunk> rest = chunks(handle, 4);
    assertEquals(all.subList(4, all.size()), rest);
    assertEquals(List.of(), chunks(handle, all.size()));
  }

  @Test
  void aLiveSubscriberSeesEveryChunkOnce() throws Exception {
    ScriptedModel slow = new ScriptedModel(TestAgents::addThenAnswer, Duration.ofMillis(30));
    try (TestRuntime other =
        TestRuntime.start(
            new AgentRegistry().register(TestAgents.adder("adder", 5)),
            new ModelCatalog().register("scripted", slow))) {
      AgentHandle handle = await(other.executor.execute("adder", "add", "live-1"));
      CompletionStage<List<StreamChunk>> live =
          handle.stream(0).runWith(Sink.seq(), other.testKit.system());
      List<StreamChunk> seen = live.toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertEquals(10, seen.size());
      for (int i = 0; i < seen.size(); i++) {
        assertEquals(i, seen.get(i).seq());
      }
      assertEquals("run_end", seen.get(seen.size() - 1).type());
    }
  }

  @Test
  void failsWhenMaxStepsIsReached() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("looper", "loop", "loop-1"));
    RunResult result = await(handle.result());
    assertEquals(RunStatus.failed, result.status());
    assertTrue(result.error().contains("maxSteps (3)"), result.error());
    assertEquals(3, result.steps());
    assertEquals(0, model.requests("loop-1", 4), "no model call beyond maxSteps");
  }

  @Test
  void aFailingToolGoesBackToTheModel() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("exploder", "go", "explode-1"));
    RunResult result = await(handle.result());
    assertEquals(RunStatus.completed, result.status());
    assertEquals("tool said: boom", result.output().asText());
    StreamChunk toolEnd =
        chunks(handle, 0).stream().filter(c -> c.type().equals("tool_end")).findFirst().orElseThrow();
    assertFalse(toolEnd.toJson().get("success").asBoolean());
    assertEquals("boom", toolEnd.toJson().get("error").asText());
  }

  @Test
  void aMissingModelProviderFailsTheRunClearly() throws Exception {
    RunResult result = await(await(runtime.executor.execute("unplugged", "hi")).result());
    assertEquals(RunStatus.failed, result.status());
    assertTrue(result.error().contains("no model provider configured for 'nowhere:x'"), result.error());
  }

  @Test
  void rejectsUnknownAgentsAndConflictingIds() throws Exception {
    ExecutionException unknown =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> await(runtime.executor.execute("nobody", "hi")));
    assertInstanceOf(UnknownAgentException.class, unknown.getCause());

    AgentHandle first = await(runtime.executor.execute("adder", "same", "idem-1"));
    AgentHandle again = await(runtime.executor.execute("adder", "same", "idem-1"));
    assertEquals(first.runId(), again.runId());
    ExecutionException conflict =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> await(runtime.executor.execute("adder", "other", "idem-1")));
    assertInstanceOf(RunConflictException.class, conflict.getCause());
    assertEquals(1, model.requests("idem-1", 1), "the same run, started once");

    ExecutionException badId =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> await(runtime.executor.execute("adder", "x", "bad id!")));
    assertInstanceOf(IllegalArgumentException.class, badId.getCause());
  }

  @Test
  void unknownRunsHaveNoHandle() throws Exception {
    assertTrue(await(runtime.executor.getHandle("never-started")).isEmpty());
    assertTrue(await(runtime.executor.getHandle("../etc/passwd")).isEmpty());
  }
}
