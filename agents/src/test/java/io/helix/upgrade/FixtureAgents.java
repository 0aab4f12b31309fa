package io.helix.upgrade;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentRegistry;
import io.helix.agent.Tool;
import io.helix.json.Json;
import io.helix.model.Message;
import io.helix.model.ModelCall;
import io.helix.model.ModelClient;
import io.helix.model.ModelEvent;
import io.helix.model.ModelException;
import io.helix.model.ModelRequest;
import io.helix.model.ModelResponse;
import io.helix.model.ScriptedModel;
import io.helix.model.ToolResultMessage;
import io.helix.model.UserMessage;
import io.helix.testkit.TestAgents;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The agents and the model of the journal fixtures: what release 0.1.0 wrote them with, and what
 * every later release opens them with. Each run's first user message names its scenario. While
 * writing ({@code hang = true}) the in-flight scenarios never finish their model call or tool, so the
 * fixture holds them in flight; when the fixtures are opened ({@code hang = false}) they finish.
 *
 * <p>Never change what a scenario answered before: the fixtures hold those answers.
 */
final class FixtureAgents {

  /** The analyzer's structured output. */
  record Analysis(
      @JsonProperty(required = true) @JsonPropertyDescription("gist") String summary,
      @JsonProperty(required = true) @JsonPropertyDescription("points") List<String> points) {}

  record Note(
      @JsonProperty(required = true) @JsonPropertyDescription("key") String key,
      @JsonProperty(required = true) @JsonPropertyDescription("value") String value) {}

  record Nothing() {}

  private FixtureAgents() {}

  /** Agents of the fixtures; {@code hang}: the slow tool never finishes (the writer's mode). */
  static AgentRegistry registry(boolean hang) {
    Tool remember =
        Tool.of(
            "remember",
            "Keeps a note in the run's state",
            Note.class,
            (input, ctx) -> {
              ctx.updateState(
                  state -> {
                    state.put(input.key(), input.value());
                    state.put("notes", state.path("notes").asInt() + 1);
                  });
              return CompletableFuture.completedFuture(Json.object().put("kept", input.key()));
            });
    Tool slow =
        Tool.of(
            "slow_tool",
            "Takes its time",
            Nothing.class,
            (input, ctx) ->
                hang
                    ? new CompletableFuture<>()
                    : CompletableFuture.completedFuture(
                        Json.object().put("done", true).put("key", ctx.idempotencyKey())));
    AgentDefinition analyzer =
        AgentDefinition.builder("fx-analyzer")
            .description("analyzes")
            .systemPrompt("You analyze.")
            .model("fixture:v1")
            .outputType(Analysis.class)
            .maxSteps(4)
            .build();
    ObjectNode initial = Json.object().put("notes", 0);
    AgentDefinition research =
        AgentDefinition.builder("fx-research")
            .description("researches")
            .systemPrompt("You research.")
            .model("fixture:v1")
            .tools(TestAgents.ADD, remember, slow)
            .subAgent(analyzer)
            .initialState(initial)
            .maxSteps(6)
            .build();
    AgentDefinition bounded =
        AgentDefinition.builder("fx-bounded")
            .description("gives up")
            .systemPrompt("You add forever.")
            .model("fixture:v1")
            .tools(TestAgents.ADD)
            .maxSteps(2)
            .build();
    AgentDefinition deadline =
        AgentDefinition.builder("fx-deadline")
            .description("is slow")
            .systemPrompt("You are slow.")
            .model("fixture:v1")
            .deadline(Duration.ofSeconds(1))
            .build();
    return new AgentRegistry()
        .register(research)
        .register(analyzer)
        .register(bounded)
        .register(deadline);
  }

  /**
   * The fixtures' model, provider {@code fixture}. Answers by the run's first user message and the
   * step; counts requests per first message.
   */
  static final class Model implements ModelClient {
    private final boolean hang;
    private final ScriptedModel scripted = ScriptedModel.uncounted(this::answer, Duration.ZERO);
    final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    Model(boolean hang) {
      this.hang = hang;
    }

    int requests(String scenario) {
      AtomicInteger count = requests.get(scenario);
      return count == null ? 0 : count.get();
    }

    @Override
    public ModelCall stream(ModelRequest request, Consumer<ModelEvent> events) {
      String scenario = scenario(request);
      requests.computeIfAbsent(scenario, k -> new AtomicInteger()).incrementAndGet();
      if (hangs(scenario, request.step())) {
        return new Hanging(events, hangingText(scenario));
      }
      return scripted.stream(request, events);
    }

    /** The scenarios whose model call never ends while the fixtures are written. */
    private boolean hangs(String scenario, int step) {
      return switch (scenario) {
        case "abort", "deadline" -> true;
        case "inflight-model", "hang analysis" -> hang && step == 1;
        case "inflight-step2" -> hang && step == 2;
        default -> false;
      };
    }

    private static String hangingText(String scenario) {
      return switch (scenario) {
        case "abort" -> "Partial answer";
        case "deadline" -> "Slow answer";
        default -> "Thinking";
      };
    }

    private List<ModelEvent> answer(ModelRequest request) {
      String scenario = scenario(request);
      int step = request.step();
      return switch (scenario) {
        case "plain" -> ScriptedModel.answer("Hello ", "there.");
        case "tools", "inflight-step2" ->
            step == 1
                ? List.of(
                    ScriptedModel.text("Adding."),
                    ScriptedModel.toolCall("c1", "add", Json.object().put("a", 2).put("b", 3)),
                    ScriptedModel.finish("tool_calls", 20, 4))
                : ScriptedModel.answer("The sum ", "is ", lastResult(request) + ".");
        case "state" ->
            step == 1
                ? List.of(
                    ScriptedModel.toolCall(
                        "c1", "remember", Json.object().put("key", "color").put("value", "blue")),
                    ScriptedModel.toolCall(
                        "c2", "remember", Json.object().put("key", "size").put("value", "large")),
                    ScriptedModel.finish("tool_calls", 30, 6))
                : ScriptedModel.answer("Remembered.");
        case "subagent", "inflight-subagent" ->
            step == 1
                ? List.of(
                    ScriptedModel.toolCall(
                        "c1",
                        "subagent__fx-analyzer",
                        Json.object()
                            .put(
                                "message",
                                scenario.equals("subagent") ? "analyze this" : "hang analysis")),
                    ScriptedModel.finish("tool_calls", 15, 3))
                : ScriptedModel.answer("Analysis ", "done.");
        case "analyze this", "hang analysis" ->
            step == 1
                ? ScriptedModel.answer("not json")
                : List.of(
                    ScriptedModel.toolCall(
                        "f1",
                        AgentDefinition.FINISH_TOOL,
                        Json.object()
                            .put("summary", "short")
                            .set("points", Json.mapper().createArrayNode().add("a").add("b"))),
                    ScriptedModel.finish("tool_calls", 9, 9));
        case "inflight-model" -> ScriptedModel.answer("Resumed ", "answer.");
        case "inflight-tool" ->
            step == 1
                ? List.of(
                    ScriptedModel.toolCall("c1", "slow_tool", Json.object()),
                    ScriptedModel.finish("tool_calls", 5, 2))
                : ScriptedModel.answer("Tool ", "finished.");
        case "bounded" -> TestAgents.alwaysCallTool(request);
        case "fail" -> throw ModelException.fatal("401 invalid api key (fixture)");
        default -> throw ModelException.fatal("no fixture scenario '" + scenario + "'");
      };
    }

    private static String lastResult(ModelRequest request) {
      Message last = request.messages().get(request.messages().size() - 1);
      return last instanceof ToolResultMessage result && result.success()
          ? result.result().path("sum").asText()
          : "unknown";
    }

    static String scenario(ModelRequest request) {
      return request.messages().isEmpty()
              || !(request.messages().get(0) instanceof UserMessage user)
          ? ""
          : user.content();
    }
  }

  /** A call that streams one delta, then waits until it is cancelled. */
  private static final class Hanging implements ModelCall {
    private final CompletableFuture<ModelResponse> response = new CompletableFuture<>();

    Hanging(Consumer<ModelEvent> events, String text) {
      CompletableFuture.runAsync(() -> events.accept(new ModelEvent.TextDelta(text)));
    }

    @Override
    public CompletionStage<ModelResponse> response() {
      return response;
    }

    @Override
    public void cancel() {
      response.completeExceptionally(ModelException.fatal("model call cancelled"));
    }
  }
}
