package io.helix.examples;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentRegistry;
import java.util.List;

/**
 * The example agents: {@code research} and {@code analyzer} (the reference's registry example), and
 * {@code assistant} (a person in the loop).
 */
public final class ExampleAgents {

  /** The analyzer's structured output. */
  public record Analysis(
      @JsonProperty(required = true) @JsonPropertyDescription("the text's gist, in a sentence")
          String summary,
      @JsonProperty(required = true) @JsonPropertyDescription("the main points, one per item")
          List<String> points) {}

  private ExampleAgents() {}

  /**
   * The agents on {@code model} ({@code provider:model}); on the offline model their descriptions
   * say so.
   */
  public static AgentRegistry registry(String model, FetchUrl.Settings fetchSettings) {
    String note =
        model.equals(OfflineModel.MODEL_ID)
            ? " (built-in offline model: no model provider is configured)"
            : "";
    AgentDefinition analyzer =
        AgentDefinition.builder("analyzer")
            .description("Analyzes a text and reports its main points" + note)
            .systemPrompt(
                "You are an analyst. Read the text you are given and report its main points,"
                    + " briefly and accurately.")
            .model(model)
            .outputType(Analysis.class)
            .maxSteps(5)
            .build();
    AgentDefinition research =
        AgentDefinition.builder("research")
            .description("Researches a topic, computes what needs computing, and reports" + note)
            .systemPrompt(
                "You are a careful researcher. Use the calculator for arithmetic, fetch_url to read"
                    + " web pages (cite what you fetched), and the analyzer to analyze a text.")
            .model(model)
            .tools(Calculator.tool(), FetchUrl.tool(fetchSettings))
            .subAgent(analyzer)
            .maxSteps(20)
            .build();
    return new AgentRegistry()
        .register(research)
        .register(analyzer)
        .register(Assistant.agent(model, note));
  }
}
