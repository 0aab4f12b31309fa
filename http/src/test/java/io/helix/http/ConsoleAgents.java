package io.helix.http;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.helix.agent.AgentDefinition;
import io.helix.agent.Tool;
import io.helix.json.Json;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.testkit.TestAgents;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The agents of the console's browser tests: {@code boss} (on the {@code console} model, {@link
 * #script}) adds, delegates to its sub-agent {@code helper}, keeps a note in its state and answers;
 * {@code puppet} (on the {@code puppet} model, a {@link PuppetModel}) says what the test tells it.
 */
final class ConsoleAgents {

  private ConsoleAgents() {}

  record Note(@JsonPropertyDescription("what to keep") String note) {}

  static final Tool REMEMBER =
      Tool.of(
          "remember",
          "Keeps a note in the run's state",
          Note.class,
          (input, ctx) -> {
            ctx.updateState(state -> state.put("note", input.note()));
            return CompletableFuture.completedFuture(Json.object().put("kept", true));
          });

  static final AgentDefinition HELPER =
      AgentDefinition.builder("helper").description("Adds numbers for the boss").systemPrompt("helper")
          .model("console:test").tools(TestAgents.ADD).build();
  static final AgentDefinition BOSS =
      AgentDefinition.builder("boss").description("Adds, delegates to its helper, keeps a note")
          .systemPrompt("boss").model("console:test").tools(TestAgents.ADD, REMEMBER).subAgent(HELPER).build();
  static final AgentDefinition PUPPET =
      AgentDefinition.builder("puppet").description("Says what the test tells it to").systemPrompt("puppet")
          .model("puppet:test").build();

  /** The boss adds, asks its helper (which adds too), keeps a note, then answers. */
  static List<ModelEvent> script(ModelRequest request) {
    int step = request.step();
    if (request.systemPrompt().equals("helper")) {
      return step == 1
          ? List.of(ScriptedModel.text("Adding them."),
              ScriptedModel.toolCall("h-add", "add", Json.object().put("a", 4).put("b", 5)),
              ScriptedModel.finish("tool_calls", 30, 9))
          : ScriptedModel.answer("9");
    }
    return switch (step) {
      case 1 -> List.of(ScriptedModel.text("Let me add first."),
          ScriptedModel.toolCall("b-add", "add", Json.object().put("a", 2).put("b", 3)),
          ScriptedModel.finish("tool_calls", 120, 14));
      case 2 -> List.of(ScriptedModel.text("Now I ask my helper."),
          ScriptedModel.toolCall("b-help", "subagent__helper", Json.object().put("message", "add 4 and 5")),
          ScriptedModel.finish("tool_calls", 160, 20));
      case 3 -> List.of(
          ScriptedModel.toolCall("b-note", "remember", Json.object().put("note", "2+3=5, 4+5=9")),
          ScriptedModel.finish("tool_calls", 190, 12));
      default -> ScriptedModel.answer("The sums are ", "5 and ", "9.");
    };
  }
}
