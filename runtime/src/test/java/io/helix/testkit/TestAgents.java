package io.helix.testkit;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.helix.agent.AgentDefinition;
import io.helix.agent.Tool;
import io.helix.json.Json;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.model.ToolResultMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Agents and scripts shared by the tests of several modules. */
public final class TestAgents {

  private TestAgents() {}

  public record AddInput(@JsonPropertyDescription("first") int a, @JsonPropertyDescription("second") int b) {}

  public static final Tool ADD =
      Tool.of(
          "add",
          "Adds two integers",
          AddInput.class,
          (input, ctx) -> CompletableFuture.completedFuture(Json.object().put("sum", input.a() + input.b())));

  /** An agent named {@code name} on the {@code scripted} provider with the {@link #ADD} tool. */
  public static AgentDefinition adder(String name, int maxSteps) {
    return AgentDefinition.builder(name)
        .description("adds numbers")
        .systemPrompt("You add numbers.")
        .model("scripted:test")
        .tools(ADD)
        .maxSteps(maxSteps)
        .build();
  }

  /**
   * Step 1 streams "Let me add." and asks for add(2,3); each following step answers with the last
   * tool result, as text in three deltas.
   */
  public static List<ModelEvent> addThenAnswer(ModelRequest request) {
    if (request.step() == 1) {
      return List.of(
          ScriptedModel.text("Let me "),
          ScriptedModel.text("add."),
          ScriptedModel.toolCall("call-1", "add", Json.object().put("a", 2).put("b", 3)),
          ScriptedModel.finish("tool_calls", 12, 5));
    }
    ToolResultMessage last = (ToolResultMessage) request.messages().get(request.messages().size() - 1);
    String sum = last.success() ? last.result().get("sum").asText() : "error";
    List<ModelEvent> events = new ArrayList<>(ScriptedModel.answer("The sum ", "is ", sum + "."));
    return events;
  }

  /** Asks for a tool call at every step, never answering. */
  public static List<ModelEvent> alwaysCallTool(ModelRequest request) {
    return List.of(
        ScriptedModel.toolCall("call-" + request.step(), "add", Json.object().put("a", request.step()).put("b", 1)),
        ScriptedModel.finish("tool_calls", 1, 1));
  }
}
