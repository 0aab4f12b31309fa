package io.helix.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.json.Json;
import io.helix.model.ToolSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An agent: only configuration, it executes nothing. Build one with {@link #builder(String)}.
 *
 * @param name the agent type, unique in its registry
 * @param model {@code provider:model}, e.g. {@code openai:gpt-4o-mini}
 * @param maxSteps the most model calls one run may make
 * @param outputSchema when set, the run ends by the model calling {@value #FINISH_TOOL} with
 *     output valid against this JSON Schema, and that is the run's output
 * @param subAgents agents this one may start as child runs, through tools named {@code
 *     subagent__<name>}
 * @param initialState the custom state a run starts with (a JSON object)
 * @param deadline how long a run may take in all, or null for no limit
 */
public record AgentDefinition(
    String name,
    String description,
    String systemPrompt,
    List<Tool> tools,
    String model,
    int maxSteps,
    JsonNode outputSchema,
    List<AgentDefinition> subAgents,
    ObjectNode initialState,
    Duration deadline) {

  public static final int DEFAULT_MAX_STEPS = 20;

  /** The tool a model calls to finish with structured output. */
  public static final String FINISH_TOOL = "__finish__";

  /** The prefix of the tools that start sub-agents. */
  public static final String SUB_AGENT_PREFIX = "subagent__";

  private static final JsonNode SUB_AGENT_INPUT =
      Json.parse(
          """
          {"type":"object",
           "properties":{"message":{"type":"string","description":"the task for the sub-agent"}},
           "required":["message"],"additionalProperties":false}
          """);

  public AgentDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(systemPrompt, "systemPrompt");
    Objects.requireNonNull(model, "model");
    description = description == null ? "" : description;
    tools = List.copyOf(tools);
    subAgents = subAgents == null ? List.of() : List.copyOf(subAgents);
    initialState = initialState == null ? Json.object() : initialState.deepCopy();
    if (maxSteps < 1) {
      throw new IllegalArgumentException("maxSteps must be at least 1, was " + maxSteps);
    }
    if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
      throw new IllegalArgumentException("deadline must be positive, was " + deadline);
    }
    List<String> names = new ArrayList<>(tools.stream().map(Tool::name).toList());
    subAgents.forEach(sub -> names.add(SUB_AGENT_PREFIX + sub.name()));
    if (names.stream().distinct().count() != names.size()) {
      throw new IllegalArgumentException("agent '" + name + "' has two tools with the same name");
    }
    if (names.contains(FINISH_TOOL)) {
      throw new IllegalArgumentException(FINISH_TOOL + " is reserved for structured output");
    }
  }

  public Optional<Tool> tool(String toolName) {
    return tools.stream().filter(t -> t.name().equals(toolName)).findFirst();
  }

  public Optional<AgentDefinition> subAgent(String toolName) {
    return subAgents.stream()
        .filter(sub -> (SUB_AGENT_PREFIX + sub.name()).equals(toolName))
        .findFirst();
  }

  /** Every tool as the model sees it: the tools, one per sub-agent, and {@value #FINISH_TOOL}. */
  public List<ToolSpec> modelTools() {
    List<ToolSpec> specs = new ArrayList<>();
    tools.forEach(t -> specs.add(new ToolSpec(t.name(), t.description(), t.inputSchema())));
    for (AgentDefinition sub : subAgents) {
      specs.add(
          new ToolSpec(
              SUB_AGENT_PREFIX + sub.name(),
              "Delegates a task to the " + sub.name() + " agent: " + sub.description(),
              SUB_AGENT_INPUT));
    }
    if (outputSchema != null) {
      specs.add(
          new ToolSpec(
              FINISH_TOOL,
              "Finishes the task. Call it once, with the final output as its arguments.",
              outputSchema));
    }
    return specs;
  }

  public AgentDefinition withModel(String newModel) {
    return new AgentDefinition(
        name, description, systemPrompt, tools, newModel, maxSteps, outputSchema, subAgents,
        initialState, deadline);
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Builds an {@link AgentDefinition}. */
  public static final class Builder {
    private final String name;
    private String description = "";
    private String systemPrompt = "";
    private final List<Tool> tools = new ArrayList<>();
    private final List<AgentDefinition> subAgents = new ArrayList<>();
    private String model;
    private int maxSteps = DEFAULT_MAX_STEPS;
    private JsonNode outputSchema;
    private ObjectNode initialState;
    private Duration deadline;

    private Builder(String name) {
      this.name = name;
    }

    public Builder description(String value) {
      this.description = value;
      return this;
    }

    public Builder systemPrompt(String value) {
      this.systemPrompt = value;
      return this;
    }

    public Builder tools(Tool... value) {
      this.tools.addAll(List.of(value));
      return this;
    }

    /** Exposes {@code agent} to the model as the tool {@code subagent__<agent name>}. */
    public Builder subAgent(AgentDefinition agent) {
      this.subAgents.add(agent);
      return this;
    }

    public Builder model(String value) {
      this.model = value;
      return this;
    }

    public Builder maxSteps(int value) {
      this.maxSteps = value;
      return this;
    }

    /** A JSON Schema for the run's output; see {@link AgentDefinition#outputSchema()}. */
    public Builder outputSchema(JsonNode schema) {
      this.outputSchema = schema;
      return this;
    }

    /** The output schema generated from a Java type. */
    public Builder outputType(Class<?> type) {
      return outputSchema(io.helix.json.JsonSchemas.of(type));
    }

    public Builder initialState(ObjectNode state) {
      this.initialState = state;
      return this;
    }

    public Builder deadline(Duration value) {
      this.deadline = value;
      return this;
    }

    public AgentDefinition build() {
      return new AgentDefinition(
          name, description, systemPrompt, tools, model, maxSteps, outputSchema, subAgents,
          initialState, deadline);
    }
  }
}
