package io.helix.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.helix.agent.AgentDefinition;
import io.helix.agent.Tool;
import io.helix.json.JsonValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Agents declared in a YAML file ({@code helix.agents-file}, env {@code HELIX_AGENTS_FILE}; the
 * format is in docs/agents-file.md). Validated whole before the node starts: an error names the
 * file, the field and the reason.
 */
final class AgentsFile {

  private static final Set<String> TOP = Set.of("agents", "mcpServers");
  private static final Set<String> AGENT =
      Set.of(
          "name", "description", "systemPrompt", "model", "maxSteps", "maxTokens", "outputSchema",
          "tools", "subAgents", "mcpServers", "initialState", "deadline");

  private final Path file;
  private final Map<String, Tool> tools;
  private final Map<String, JsonNode> declared = new LinkedHashMap<>();
  private final Map<String, AgentDefinition> built = new LinkedHashMap<>();
  private final Set<String> building = new HashSet<>();
  private final McpServers mcpServers;

  private AgentsFile(Path file, Map<String, Tool> tools, McpServers mcpServers) {
    this.file = file;
    this.tools = tools;
    this.mcpServers = mcpServers;
  }

  /** The agents of {@code file}; {@code tools}: the named tools they may use. */
  static List<AgentDefinition> load(Path file, Map<String, Tool> tools) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    } catch (IOException e) {
      throw new AgentsFileException(file + ": cannot be read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new AgentsFileException(file + ": must be a YAML mapping with 'agents'");
    }
    unknownFields(file, "", root, TOP);
    AgentsFile agentsFile = new AgentsFile(file, tools, McpServers.parse(file, root.path("mcpServers")));
    return agentsFile.build(root.path("agents"));
  }

  private List<AgentDefinition> build(JsonNode agents) {
    if (!agents.isArray() || agents.isEmpty()) {
      throw error("agents", "must be a list of at least one agent");
    }
    for (int i = 0; i < agents.size(); i++) {
      JsonNode agent = agents.get(i);
      String at = "agents[" + i + "]";
      if (!agent.isObject()) {
        throw error(at, "must be a mapping");
      }
      unknownFields(file, at + ".", agent, AGENT);
      String name = text(agent, at, "name", true);
      if (declared.put(name, agent) != null) {
        throw error(at + ".name", "'" + name + "' is declared twice");
      }
    }
    List<AgentDefinition> result = new ArrayList<>();
    for (String name : declared.keySet()) {
      result.add(agent(name));
    }
    return result;
  }

  private AgentDefinition agent(String name) {
    AgentDefinition done = built.get(name);
    if (done != null) {
      return done;
    }
    String at = "agent '" + name + "'";
    if (!building.add(name)) {
      throw error(at + ".subAgents", "sub-agents form a cycle through '" + name + "'");
    }
    JsonNode spec = declared.get(name);
    AgentDefinition.Builder builder =
        AgentDefinition.builder(name)
            .description(text(spec, at, "description", false))
            .systemPrompt(text(spec, at, "systemPrompt", true))
            .model(model(spec, at));
    if (spec.has("maxSteps")) {
      JsonNode steps = spec.get("maxSteps");
      if (!steps.canConvertToInt() || !steps.isIntegralNumber() || steps.asInt() < 1) {
        throw error(at + ".maxSteps", "must be a whole number of at least 1, was " + steps);
      }
      builder.maxSteps(steps.asInt());
    }
    if (spec.has("maxTokens")) {
      JsonNode tokens = spec.get("maxTokens");
      if (!tokens.isIntegralNumber() || !tokens.canConvertToLong() || tokens.asLong() < 1) {
        throw error(at + ".maxTokens", "must be a whole number of at least 1, was " + tokens);
      }
      builder.maxTokens(tokens.asLong());
    }
    if (spec.has("outputSchema")) {
      JsonNode schema = spec.get("outputSchema");
      if (!schema.isObject()) {
        throw error(at + ".outputSchema", "must be a JSON Schema object");
      }
      try {
        JsonValidator.of(schema);
      } catch (RuntimeException e) {
        throw error(at + ".outputSchema", "is not a valid JSON Schema: " + e.getMessage());
      }
      builder.outputSchema(schema);
    }
    if (spec.has("initialState")) {
      if (!spec.get("initialState").isObject()) {
        throw error(at + ".initialState", "must be a mapping");
      }
      builder.initialState((ObjectNode) spec.get("initialState"));
    }
    if (spec.has("deadline")) {
      builder.deadline(duration(spec.get("deadline"), at + ".deadline"));
    }
    List<Tool> agentTools = new ArrayList<>();
    for (String tool : names(spec, at, "tools")) {
      Tool found = tools.get(tool);
      if (found == null) {
        throw error(at + ".tools", "no tool named '" + tool + "' (known: " + tools.keySet() + ")");
      }
      agentTools.add(found);
    }
    builder.tools(agentTools.toArray(Tool[]::new));
    for (String server : names(spec, at, "mcpServers")) {
      builder.toolSource(mcpServers.tools(server, at + ".mcpServers"));
    }
    for (String sub : names(spec, at, "subAgents")) {
      if (!declared.containsKey(sub)) {
        throw error(at + ".subAgents", "no agent named '" + sub + "' in this file");
      }
      builder.subAgent(agent(sub));
    }
    AgentDefinition agent;
    try {
      agent = builder.build();
    } catch (RuntimeException e) {
      throw error(at, e.getMessage());
    }
    building.remove(name);
    built.put(name, agent);
    return agent;
  }

  private String model(JsonNode spec, String at) {
    String model = text(spec, at, "model", true);
    if (!model.contains(":") || model.startsWith(":") || model.endsWith(":")) {
      throw error(at + ".model", "must be provider:model, e.g. openai:gpt-4o-mini, was '" + model + "'");
    }
    return model;
  }

  private Duration duration(JsonNode value, String at) {
    try {
      return Duration.parse(value.asText());
    } catch (DateTimeParseException e) {
      throw error(at, "must be an ISO-8601 duration such as PT5M, was '" + value.asText() + "'");
    }
  }

  private String text(JsonNode spec, String at, String field, boolean required) {
    JsonNode value = spec.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw error(at + "." + field, "is required");
      }
      return "";
    }
    if (!value.isTextual() || (required && value.asText().isBlank())) {
      throw error(at + "." + field, "must be " + (required ? "a non-empty " : "a ") + "string");
    }
    return value.asText();
  }

  private List<String> names(JsonNode spec, String at, String field) {
    JsonNode value = spec.get(field);
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!value.isArray()) {
      throw error(at + "." + field, "must be a list of names");
    }
    List<String> names = new ArrayList<>();
    for (JsonNode name : value) {
      if (!name.isTextual() || name.asText().isBlank()) {
        throw error(at + "." + field, "must be a list of names, has " + name);
      }
      names.add(name.asText());
    }
    return names;
  }

  private AgentsFileException error(String field, String reason) {
    return new AgentsFileException(file + ": " + field + ": " + reason);
  }

  static void unknownFields(Path file, String prefix, JsonNode node, Set<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!known.contains(field)) {
        throw new AgentsFileException(
            file + ": " + prefix + field + ": unknown field (known: " + known.stream().sorted().toList() + ")");
      }
    }
  }

  /** An agents file that cannot be used: the start stops. */
  static final class AgentsFileException extends IllegalStateException {
    AgentsFileException(String message) {
      super(message);
    }

    AgentsFileException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
