package io.helix.client;

import static io.helix.client.Chunks.node;
import static io.helix.client.Chunks.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Reads the API's JSON answers into the client's records. */
final class Responses {

  private Responses() {}

  static Execution execution(JsonNode json) {
    return new Execution(text(json, "runId"), text(json, "streamUrl"), text(json, "resultUrl"));
  }

  static RunResult runResult(JsonNode json) {
    return new RunResult(
        text(json, "runId"),
        text(json, "agentType"),
        RunStatus.of(text(json, "status")),
        node(json, "output"),
        text(json, "error"),
        json.path("aborted").asBoolean(),
        text(json, "abortReason"),
        json.path("steps").asInt(),
        usage(json.get("usage")),
        node(json, "state"),
        text(json, "parentRunId"),
        text(json, "streamId"),
        json);
  }

  static RunSummary runSummary(JsonNode json) {
    return new RunSummary(
        text(json, "runId"),
        text(json, "agentType"),
        text(json, "streamId"),
        RunStatus.of(text(json, "status")),
        json.path("stepCount").asInt(),
        node(json, "customState"),
        node(json, "output"),
        text(json, "error"),
        text(json, "parentAgentId"),
        json.path("aborted").asBoolean(),
        text(json, "abortReason"),
        usage(json.get("usage")),
        instant(text(json, "createdAt")),
        instant(text(json, "updatedAt")),
        json);
  }

  static RunPage runPage(JsonNode json) {
    List<RunSummary> runs = new ArrayList<>();
    json.path("runs").forEach(row -> runs.add(runSummary(row)));
    return new RunPage(runs, text(json, "nextCursor"));
  }

  static RunState runState(JsonNode json) {
    List<Message> messages = new ArrayList<>();
    for (JsonNode m : json.path("messages")) {
      messages.add(
          new Message(
              m.path("sequence").asInt(),
              text(m, "role"),
              text(m, "content"),
              m.path("toolCalls").isArray()
                  ? m.get("toolCalls")
                  : JsonNodeFactory.instance.arrayNode(),
              text(m, "toolCallId"),
              text(m, "toolName"),
              text(m, "thinking"),
              text(m, "error"),
              instant(text(m, "createdAt"))));
    }
    return new RunState(
        runSummary(json),
        json.path("projected").asBoolean(),
        messages,
        json.path("offset").asInt(),
        json.path("total").asInt(),
        json.path("hasMore").asBoolean());
  }

  static List<AgentInfo> agents(JsonNode json) {
    List<AgentInfo> agents = new ArrayList<>();
    for (JsonNode a : json.path("agents")) {
      List<String> subAgents = new ArrayList<>();
      a.path("subAgents").forEach(name -> subAgents.add(name.asText()));
      List<AgentInfo.Tool> tools = new ArrayList<>();
      for (JsonNode t : a.path("tools")) {
        tools.add(
            new AgentInfo.Tool(
                text(t, "name"), text(t, "description"), node(t, "inputSchema"), text(t, "kind")));
      }
      agents.add(
          new AgentInfo(
              text(a, "name"),
              text(a, "description"),
              text(a, "model"),
              a.path("maxSteps").asInt(),
              node(a, "outputSchema"),
              subAgents,
              tools,
              a.path("maxTokens").asLong()));
    }
    return agents;
  }

  private static TokenUsage usage(JsonNode json) {
    if (json == null || !json.isObject()) {
      return TokenUsage.ZERO;
    }
    return new TokenUsage(json.path("inputTokens").asLong(), json.path("outputTokens").asLong());
  }

  /** An ISO-8601 instant; null when absent or not one. */
  private static Instant instant(String value) {
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
