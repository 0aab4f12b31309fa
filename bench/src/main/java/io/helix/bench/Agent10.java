package io.helix.bench;

import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentRegistry;
import io.helix.agent.Tool;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The agent-10 workload of DESIGN.md §9: ten steps, each a model answer of about 300 bytes with
 * one tool call and a tool that returns at once, then a final text answer. A run makes 22 journal
 * commits: its start, 10 model responses, 10 tool results, and the final answer with completion.
 */
final class Agent10 {

  static final String AGENT = "agent10";
  /** A run of 1,000 tool steps, for recovery time. */
  static final String LONG_AGENT = "agent1000";
  static final int LONG_STEPS = 1000;
  /** A run whose model does not answer until released, for the heap of active runs. */
  static final String WAITING_AGENT = "waiting";
  static final int TOOL_STEPS = 10;
  /** Journal commits of one run, as the raw baseline does them by hand. */
  static final int COMMITS_PER_RUN = 1 + 2 * TOOL_STEPS + 1;

  private static final String THOUGHT =
      "Considering the next part of the task, I will call the tool to look up what is needed and"
          + " carry its result forward into the following step of the plan, as agreed. ";

  record Query(String key) {}

  private Agent10() {}

  /** The tool of the benchmarks' agents: it answers at once. */
  static Tool lookup() {
    return Tool.of(
        "lookup",
        "Looks a key up",
        Query.class,
        (input, ctx) ->
            CompletableFuture.completedFuture(Json.object().put("key", input.key()).put("value", 42)));
  }

  static AgentRegistry registry() {
    Tool lookup = lookup();
    return new AgentRegistry()
        .register(
            AgentDefinition.builder(AGENT)
                .systemPrompt("You are a benchmark.")
                .model("bench:scripted")
                .tools(lookup)
                .maxSteps(TOOL_STEPS + 1)
                .build())
        .register(
            AgentDefinition.builder(LONG_AGENT)
                .systemPrompt("long")
                .model("bench:scripted")
                .tools(lookup)
                .maxSteps(LONG_STEPS + 1)
                .build())
        .register(
            AgentDefinition.builder(WAITING_AGENT)
                .systemPrompt("waiting")
                .model("gated:model")
                .build());
  }

  static ModelCatalog models(GatedModel gated) {
    return new ModelCatalog()
        .register("bench", ScriptedModel.uncounted(Agent10::answer, Duration.ZERO))
        .register("gated", gated);
  }

  private static List<ModelEvent> answer(ModelRequest request) {
    int toolSteps = request.systemPrompt().equals("long") ? LONG_STEPS : TOOL_STEPS;
    if (request.step() <= toolSteps) {
      return List.of(
          ScriptedModel.text(THOUGHT),
          ScriptedModel.toolCall(
              "call-" + request.step(), "lookup", Json.object().put("key", "k" + request.step())),
          ScriptedModel.finish("tool_calls", 300, 60));
    }
    return ScriptedModel.answer("All ten steps are done; the answer is 42.");
  }
}
