package io.helix.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.json.Json;
import io.helix.model.ToolSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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
 * @param toolSources sources of tools whose list may change while the node runs (e.g. MCP
 *     servers); {@link #modelTools()} and {@link #tool(String)} consult them at each use
 * @param maxTokens the token budget of one run (input and output tokens of its own model
 *     responses; a sub-agent's run has its own agent's): a response that takes the run beyond it
 *     fails the run, unless it is the final answer. 0: the node's default, {@code
 *     helix.run.max-tokens} (itself 0 for no limit)
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
    Duration deadline,
    List<ToolSource> toolSources,
    long maxTokens) {

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
    toolSources = toolSources == null ? List.of() : List.copyOf(toolSources);
    if (maxSteps < 1) {
      throw new IllegalArgumentException("maxSteps must be at least 1, was " + maxSteps);
    }
    if (maxTokens < 0) {
      throw new IllegalArgumentException(
          "maxTokens must be 0 (the default) or more, was " + maxTokens);
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

  /** An agent with the node's token budget (the form before {@link #maxTokens} existed). */
  public AgentDefinition(
      String name,
      String description,
      String systemPrompt,
      List<Tool> tools,
      String model,
      int maxSteps,
      JsonNode outputSchema,
      List<AgentDefinition> subAgents,
      ObjectNode initialState,
      Duration deadline,
      List<ToolSource> toolSources) {
    this(
        name, description, systemPrompt, tools, model, maxSteps, outputSchema, subAgents,
        initialState, deadline, toolSources, 0);
  }

  /** An agent without tool sources (the form before {@link ToolSource} existed). */
  public AgentDefinition(
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
    this(
        name, description, systemPrompt, tools, model, maxSteps, outputSchema, subAgents,
        initialState, deadline, List.of());
  }

  /**
   * The tool a call names: one of {@link #tools()}, else one its {@link #toolSources()} offer now
   * (see {@link #offeredTools()}).
   */
  public Optional<Tool> tool(String toolName) {
    Optional<Tool> own = tools.stream().filter(t -> t.name().equals(toolName)).findFirst();
    if (own.isPresent() || toolSources.isEmpty()) {
      return own;
    }
    return sourcedTools().stream().filter(t -> t.name().equals(toolName)).findFirst();
  }

  /**
   * Every tool the model is offered now: {@link #tools()}, then the tools of the {@link
   * #toolSources()} in order, less those whose name is taken already (by an earlier tool, a
   * sub-agent tool or {@value #FINISH_TOOL}).
   */
  public List<Tool> offeredTools() {
    if (toolSources.isEmpty()) {
      return tools;
    }
    List<Tool> offered = new ArrayList<>(tools);
    offered.addAll(sourcedTools());
    return offered;
  }

  /** The sources' tools now, less those whose name is taken. */
  private List<Tool> sourcedTools() {
    Set<String> taken = new HashSet<>();
    tools.forEach(t -> taken.add(t.name()));
    subAgents.forEach(sub -> taken.add(SUB_AGENT_PREFIX + sub.name()));
    taken.add(FINISH_TOOL);
    List<Tool> sourced = new ArrayList<>();
    for (ToolSource source : toolSources) {
      List<Tool> current = source.tools();
      if (current == null) {
        continue;
      }
      for (Tool tool : current) {
        if (tool != null && taken.add(tool.name())) {
          sourced.add(tool);
        }
      }
    }
    return sourced;
  }

  public Optional<AgentDefinition> subAgent(String toolName) {
    return subAgents.stream()
        .filter(sub -> (SUB_AGENT_PREFIX + sub.name()).equals(toolName))
        .findFirst();
  }

  /**
   * Every tool as the model sees it now: the {@link #offeredTools()}, one per sub-agent, and
   * {@value #FINISH_TOOL}.
   */
  public List<ToolSpec> modelTools() {
    List<ToolSpec> specs = new ArrayList<>();
    offeredTools().forEach(t -> specs.add(new ToolSpec(t.name(), t.description(), t.inputSchema())));
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
        initialState, deadline, toolSources, maxTokens);
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
    private final List<ToolSource> toolSources = new ArrayList<>();
    private String model;
    private int maxSteps = DEFAULT_MAX_STEPS;
    private JsonNode outputSchema;
    private ObjectNode initialState;
    private Duration deadline;
    private long maxTokens;

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

    /**
     * Adds a source of tools whose list may change while the node runs, e.g. an MCP server
     * (helix-mcp's {@code McpTools.server(config)}); see {@link ToolSource}.
     */
    public Builder toolSource(ToolSource source) {
      this.toolSources.add(Objects.requireNonNull(source, "source"));
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

    /**
     * The token budget of one run; see {@link AgentDefinition#maxTokens()}. 0 (the default): the
     * node's {@code helix.run.max-tokens}.
     */
    public Builder maxTokens(long value) {
      this.maxTokens = value;
      return this;
    }

    public AgentDefinition build() {
      return new AgentDefinition(
          name, description, systemPrompt, tools, model, maxSteps, outputSchema, subAgents,
          initialState, deadline, toolSources, maxTokens);
    }
  }
}
