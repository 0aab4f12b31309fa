package io.helix.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * An agent type the server runs ({@code GET /agent/agents}).
 *
 * @param model its model, {@code provider:model}
 * @param maxSteps the most model responses a run of it may have
 * @param outputSchema the JSON Schema of its structured output, or null for a text answer
 * @param subAgents the agent types it may call
 * @param tools every tool as the model sees it: its own, a {@code subagent__<name>} per sub-agent,
 *     and {@code __finish__}
 * @param maxTokens the token budget of a run of it (input and output tokens of its own model
 *     responses); 0: no limit, or a server that does not say
 */
public record AgentInfo(
    String name,
    String description,
    String model,
    int maxSteps,
    JsonNode outputSchema,
    List<String> subAgents,
    List<Tool> tools,
    long maxTokens) {

  public AgentInfo {
    subAgents = List.copyOf(subAgents);
    tools = List.copyOf(tools);
  }

  /** An agent without a token budget (the form before {@link #maxTokens} existed). */
  public AgentInfo(
      String name,
      String description,
      String model,
      int maxSteps,
      JsonNode outputSchema,
      List<String> subAgents,
      List<Tool> tools) {
    this(name, description, model, maxSteps, outputSchema, subAgents, tools, 0);
  }

  /**
   * A tool as the model sees it.
   *
   * @param kind {@code tool}, {@code subagent} or {@code finish}
   */
  public record Tool(String name, String description, JsonNode inputSchema, String kind) {}
}
