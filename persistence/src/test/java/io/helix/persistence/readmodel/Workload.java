package io.helix.persistence.readmodel;

import static io.helix.testkit.TestRuntime.await;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.agent.Tool;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.model.ToolResultMessage;
import io.helix.run.RunHistory;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Runs of every kind, on scripted models: tool calls, a failing tool, maxSteps reached, thinking,
 * custom state patches, structured output with a reminder, sub-agents, no model provider, aborts
 * during a model call, and a parent aborted while its sub-agent works.
 */
final class Workload {

  record Counter(@JsonProperty(required = true) String name) {}

  record Nothing() {}

  record Sum(@JsonProperty(required = true) int sum) {}

  record Summary(
      @JsonProperty(required = true) String title, @JsonProperty(required = true) int points) {}

  private static final Tool COUNT =
      Tool.of(
          "count",
          "increments a counter in the state",
          Counter.class,
          (input, ctx) -> {
            ctx.updateState(state -> state.put(input.name(), state.path(input.name()).asInt(0) + 1));
            return CompletableFuture.completedFuture(ctx.getState());
          });

  private static final Tool EXPLODE =
      Tool.of(
          "explode",
          "always fails",
          Nothing.class,
          (input, ctx) -> CompletableFuture.failedFuture(new IllegalStateException("boom")));

  private static final AgentDefinition HELPER =
      AgentDefinition.builder("helper")
          .systemPrompt("helper")
          .model("scripted:x")
          .tools(TestAgents.ADD)
          .outputType(Sum.class)
          .build();

  private static final AgentDefinition DAWDLER =
      AgentDefinition.builder("dawdler").systemPrompt("dawdle").model("slow:x").build();

  static final AgentRegistry AGENTS =
      new AgentRegistry()
          .register(TestAgents.adder("adder", 5))
          .register(TestAgents.adder("looper", 3))
          .register(
              AgentDefinition.builder("exploder")
                  .systemPrompt("explode")
                  .model("scripted:x")
                  .tools(EXPLODE)
                  .build())
          .register(
              AgentDefinition.builder("thinker").systemPrompt("think").model("scripted:x").build())
          .register(
              AgentDefinition.builder("counter")
                  .systemPrompt("count")
                  .model("scripted:x")
                  .tools(COUNT)
                  .initialState(Json.object().put("a", 10))
                  .build())
          .register(
              AgentDefinition.builder("summarizer")
                  .systemPrompt("summarize")
                  .model("scripted:x")
                  .outputType(Summary.class)
                  .build())
          .register(
              AgentDefinition.builder("boss")
                  .systemPrompt("boss")
                  .model("scripted:x")
                  .subAgent(HELPER)
                  .build())
          .register(
              AgentDefinition.builder("unplugged").systemPrompt("none").model("nowhere:x").build())
          .register(
              AgentDefinition.builder("talker")
                  .systemPrompt("talk")
                  .model("slow:x")
                  .tools(TestAgents.ADD)
                  .build())
          .register(
              AgentDefinition.builder("manager")
                  .systemPrompt("manage")
                  .model("scripted:x")
                  .subAgent(DAWDLER)
                  .build());

  private static final List<String> FINISHING =
      List.of("adder", "looper", "exploder", "thinker", "counter", "summarizer", "boss", "unplugged");

  final ScriptedModel scripted = new ScriptedModel(Workload::script);
  final ScriptedModel slow = new ScriptedModel(Workload::slowScript, Duration.ofMillis(20));

  ModelCatalog models() {
    return new ModelCatalog().register("scripted", scripted).register("slow", slow);
  }

  /**
   * Starts {@code perKind} runs of every kind on the node, aborts the abortable ones during a model
   * call, and waits for every root run to end. Answers the root runs' ids.
   */
  List<String> run(TestRuntime node, int perKind) throws Exception {
    List<String> roots = new ArrayList<>();
    List<CompletionStage<RunResult>> results = new ArrayList<>();
    for (int i = 0; i < perKind; i++) {
      for (String kind : FINISHING) {
        String runId = kind + "-" + i;
        roots.add(runId);
        results.add(await(node.executor.execute(kind, kind + " " + i, runId)).result());
      }
    }
    for (int i = 0; i < perKind; i++) {
      String talker = "talker-" + i;
      String manager = "manager-" + i;
      roots.add(talker);
      roots.add(manager);
      AgentHandle talking = await(node.executor.execute("talker", "talk " + i, talker));
      AgentHandle managing = await(node.executor.execute("manager", "manage " + i, manager));
      String dawdler = RunHistory.childRunId(manager, 1, "delegate");
      TestRuntime.awaitCondition(
          () -> slow.requests(talker, 2) == 1 && slow.requests(dawdler, 1) == 1,
          Duration.ofSeconds(20));
      results.add(talking.abort("user cancelled " + i));
      results.add(managing.abort("no longer needed " + i));
    }
    for (CompletionStage<RunResult> result : results) {
      RunResult ended = result.toCompletableFuture().get(60, TimeUnit.SECONDS);
      if (ended.status() == RunStatus.running) {
        throw new AssertionError("still running: " + ended);
      }
    }
    return roots;
  }


  private static List<ModelEvent> script(ModelRequest request) {
    int step = request.step();
    switch (request.systemPrompt()) {
      case "explode":
        if (step == 1) {
          return List.of(
              ScriptedModel.toolCall("x1", "explode", Json.object()),
              ScriptedModel.finish("tool_calls", 1, 1));
        }
        return ScriptedModel.answer("tool said: ", ((ToolResultMessage) last(request)).error());
      case "think":
        return List.of(
            new ModelEvent.ThinkingDelta("Let me think "),
            new ModelEvent.ThinkingDelta("about it."),
            ScriptedModel.text("Forty-two."),
            ScriptedModel.finish("stop", 7, 3));
      case "count":
        if (step == 1) {
          return List.of(
              ScriptedModel.toolCall("c1", "count", Json.object().put("name", "a")),
              ScriptedModel.toolCall("c2", "count", Json.object().put("name", "b")),
              ScriptedModel.finish("tool_calls", 1, 1));
        }
        if (step == 2) {
          return List.of(
              ScriptedModel.toolCall("c3", "count", Json.object().put("name", "b")),
              ScriptedModel.finish("tool_calls", 1, 1));
        }
        return ScriptedModel.answer("counted");
      case "summarize":
        if (step == 1) {
          return List.of(
              ScriptedModel.toolCall("f1", "__finish__", Json.object().put("title", "x")),
              ScriptedModel.finish("tool_calls", 1, 1));
        }
        if (step == 2) {
          return ScriptedModel.answer("not json");
        }
        return List.of(
            ScriptedModel.toolCall(
                "f2", "__finish__", Json.object().put("title", "Pekko").put("points", 3)),
            ScriptedModel.finish("tool_calls", 1, 1));
      case "boss":
        if (step == 1) {
          return List.of(
              ScriptedModel.toolCall(
                  "delegate", "subagent__helper", Json.object().put("message", "add 2 and 3")),
              ScriptedModel.finish("tool_calls", 1, 1));
        }
        return ScriptedModel.answer(
            "helper says " + ((ToolResultMessage) last(request)).result().get("sum").asInt());
      case "helper":
        if (step == 1) {
          return List.of(
              ScriptedModel.toolCall("h1", "add", Json.object().put("a", 2).put("b", 3)),
              ScriptedModel.finish("tool_calls", 1, 1));
        }
        return List.of(
            ScriptedModel.toolCall(
                "done",
                "__finish__",
                Json.object().put("sum", ((ToolResultMessage) last(request)).result().get("sum").asInt())),
            ScriptedModel.finish("tool_calls", 1, 1));
      case "manage":
        return List.of(
            ScriptedModel.toolCall(
                "delegate", "subagent__dawdler", Json.object().put("message", "take your time")),
            ScriptedModel.finish("tool_calls", 1, 1));
      default:
        return request.runId().startsWith("looper")
            ? TestAgents.alwaysCallTool(request)
            : TestAgents.addThenAnswer(request);
    }
  }

  /** Slow: a quick tool call first for the talker, then a long answer, one word per pause. */
  private static List<ModelEvent> slowScript(ModelRequest request) {
    if (request.systemPrompt().equals("talk") && request.step() == 1) {
      return List.of(
          ScriptedModel.toolCall("t1", "add", Json.object().put("a", 1).put("b", 1)),
          ScriptedModel.finish("tool_calls", 2, 2));
    }
    List<ModelEvent> words = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      words.add(ScriptedModel.text("w" + i + " "));
    }
    words.add(ScriptedModel.finish("stop", 1, 500));
    return words;
  }

  private static Object last(ModelRequest request) {
    return request.messages().get(request.messages().size() - 1);
  }
}
