package io.helix.run;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.model.ToolResultMessage;
import io.helix.stream.StreamChunk;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubAgentTest {

  record Sum(int sum) {}

  private final AgentDefinition helper =
      AgentDefinition.builder("helper")
          .systemPrompt("helper")
          .model("scripted:x")
          .tools(TestAgents.ADD)
          .outputType(Sum.class)
          .build();
  private final AgentDefinition slowHelper =
      AgentDefinition.builder("slow-helper").systemPrompt("slow").model("slow:x").build();
  private final AgentDefinition boss =
      AgentDefinition.builder("boss")
          .systemPrompt("boss")
          .model("scripted:x")
          .subAgent(helper)
          .subAgent(slowHelper)
          .build();

  private final ScriptedModel model = new ScriptedModel(this::script);
  private final ScriptedModel slow =
      new ScriptedModel(
          request -> {
            List<ModelEvent> words = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
              words.add(ScriptedModel.text("w" + i + " "));
            }
            return words;
          },
          Duration.ofMillis(20));
  private final TestRuntime runtime =
      TestRuntime.start(
          new AgentRegistry().register(boss),
          new ModelCatalog().register("scripted", model).register("slow", slow));

  private List<ModelEvent> script(ModelRequest request) {
    if (request.systemPrompt().equals("boss")) {
      if (request.step() == 1) {
        String target = request.messages().get(0).toString().contains("slow") ? "subagent__slow-helper" : "subagent__helper";
        return List.of(
            ScriptedModel.toolCall("delegate", target, Json.object().put("message", "add 2 and 3")),
            ScriptedModel.finish("tool_calls", 1, 1));
      }
      ToolResultMessage result = (ToolResultMessage) request.messages().get(2);
      return ScriptedModel.answer("helper says " + result.result().get("sum").asInt());
    }
    if (request.step() == 1) {
      return List.of(
          ScriptedModel.toolCall("c1", "add", Json.object().put("a", 2).put("b", 3)),
          ScriptedModel.finish("tool_calls", 1, 1));
    }
    ToolResultMessage added = (ToolResultMessage) request.messages().get(2);
    return List.of(
        ScriptedModel.toolCall(
            "done", "__finish__", Json.object().put("sum", added.result().get("sum").asInt())),
        ScriptedModel.finish("tool_calls", 1, 1));
  }

  @AfterAll
  void stop() {
    runtime.close();
  }


  @Test
  void aSubAgentRunsAsAChildRunOnTheParentsStream() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("boss", "delegate it", "boss-1"));
    RunResult result = await(handle.result());
    assertEquals(RunStatus.completed, result.status());
    assertEquals("helper says 5", result.output().asText());

    String childId = RunEntity.childRunId("boss-1", 1, "delegate");
    RunResult child = await(await(runtime.executor.getHandle(childId)).orElseThrow().result());
    assertEquals(RunStatus.completed, child.status());
    assertEquals("boss-1", child.parentRunId());
    assertEquals(5, child.output().get("sum").asInt());

    List<StreamChunk> chunks = await(handle.stream(0).runWith(Sink.seq(), runtime.testKit.system()));
    for (int i = 0; i < chunks.size(); i++) {
      assertEquals(i, chunks.get(i).seq());
    }
    List<String> sequence =
        chunks.stream()
            .filter(c -> !c.type().equals("text_delta"))
            .map(c -> (c.runId().equals(childId) ? "child:" : "") + c.type())
            .toList();
    assertEquals(
        List.of(
            "run_start", "tool_start", "subagent_start",
            "child:run_start", "child:tool_start", "child:tool_end", "child:tool_start",
            "child:tool_end", "child:output", "child:run_end",
            "subagent_end", "tool_end", "output", "run_end"),
        sequence);
    StreamChunk end = chunks.stream().filter(c -> c.type().equals("subagent_end")).findFirst().orElseThrow();
    assertEquals(5, end.toJson().get("output").get("sum").asInt());
  }

  @Test
  void abortingTheParentAbortsTheChild() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("boss", "slow please", "boss-2"));
    String childId = RunEntity.childRunId("boss-2", 1, "delegate");
    TestRuntime.awaitCondition(() -> slow.requests(childId, 1) == 1, Duration.ofSeconds(10));

    RunResult aborted = await(handle.abort("stop all"));
    assertTrue(aborted.aborted());

    AgentHandle child = await(runtime.executor.getHandle(childId)).orElseThrow();
    RunResult childResult = await(child.result());
    assertEquals(RunStatus.failed, childResult.status());
    assertTrue(childResult.aborted());
    assertTrue(childResult.abortReason().contains("parent run boss-2 ended"), childResult.abortReason());
    TestRuntime.awaitCondition(() -> slow.cancelledCalls() == 1, Duration.ofSeconds(5));
  }
}
