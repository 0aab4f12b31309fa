package io.helix.agent;

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
 */
public record AgentDefinition(
    String name,
    String description,
    String systemPrompt,
    List<Tool> tools,
    String model,
    int maxSteps) {

  public static final int DEFAULT_MAX_STEPS = 20;

  public AgentDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(systemPrompt, "systemPrompt");
    Objects.requireNonNull(model, "model");
    description = description == null ? "" : description;
    tools = List.copyOf(tools);
    if (maxSteps < 1) {
      throw new IllegalArgumentException("maxSteps must be at least 1, was " + maxSteps);
    }
    long distinct = tools.stream().map(Tool::name).distinct().count();
    if (distinct != tools.size()) {
      throw new IllegalArgumentException("agent '" + name + "' has two tools with the same name");
    }
  }

  public Optional<Tool> tool(String toolName) {
    return tools.stream().filter(t -> t.name().equals(toolName)).findFirst();
  }

  public AgentDefinition withModel(String newModel) {
    return new AgentDefinition(name, description, systemPrompt, tools, newModel, maxSteps);
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
    private String model;
    private int maxSteps = DEFAULT_MAX_STEPS;

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

    public Builder model(String value) {
      this.model = value;
      return this;
    }

    public Builder maxSteps(int value) {
      this.maxSteps = value;
      return this;
    }

    public AgentDefinition build() {
      return new AgentDefinition(name, description, systemPrompt, tools, model, maxSteps);
    }
  }
}
