package io.helix.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.RunResult;
import io.helix.history.AgentStateRow;
import io.helix.history.MessagePage;
import io.helix.history.RunPage;
import io.helix.history.StoredMessage;
import io.helix.json.Json;
import io.helix.model.ToolSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;

/**
 * The JSON the API answers with, each shape written once: a started run's links, a run, a run's
 * state (from the read model or the live run), a page of runs, the agents, and the control messages
 * that end an SSE or WebSocket subscription. Times are ISO-8601.
 */
final class Presenters {

  /** The type of the control message ending a subscription closed before its stream's end. */
  static final String RESUME = "resume";

  /** The type of the last WebSocket frame of a stream that ended. */
  static final String STREAM_END = "stream_end";

  /** The state of a run the read model has no row for yet: no messages. */
  private static final MessagePage NO_MESSAGES = new MessagePage(List.of(), 0, false);

  private Presenters() {}

  static HttpResponse ok(JsonNode body) {
    return json(StatusCodes.OK, body);
  }

  private static HttpResponse json(StatusCode status, JsonNode body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(
            ContentTypes.APPLICATION_JSON, Json.write(body).getBytes(StandardCharsets.UTF_8));
  }

  // ---- runs

  /** {@code 202 {runId, streamUrl, resultUrl}} with the result's {@code Location}. */
  static HttpResponse accepted(String runId) {
    return accepted(runId, null);
  }

  /** A run started, as a turn of {@code sessionId} (null: none). */
  static HttpResponse accepted(String runId, String sessionId) {
    ObjectNode json = Json.object();
    json.put("runId", runId);
    if (sessionId != null) {
      json.put("sessionId", sessionId);
      json.put("sessionUrl", "/agent/sessions/" + sessionId);
    }
    json.put("streamUrl", streamUrl(runId));
    json.put("resultUrl", resultUrl(runId));
    return json(StatusCodes.ACCEPTED, json).addHeader(Location.create(resultUrl(runId)));
  }

  static String streamUrl(String runId) {
    return "/agent/stream/" + runId;
  }

  static String resultUrl(String runId) {
    return "/agent/result/" + runId;
  }

  /** A run as {@code GET /agent/result} answers it: the {@link RunResult}'s fields. */
  static JsonNode run(RunResult run) {
    return Json.toTree(run);
  }

  // ---- the read model

  /**
   * A run's row of {@code agent_state} with a page of its messages, from {@code offset}; while the {@code live} run is in
   * flight, with its status and pending requests (its row may trail it, and does not hold what its
   * sub-agents wait for).
   */
  static ObjectNode projectedState(
      AgentStateRow row, Optional<RunResult> live, MessagePage page, int offset) {
    ObjectNode json = row(row);
    live.filter(run -> !run.status().isTerminal())
        .ifPresent(
            run -> {
              json.put("status", run.status().name());
              json.set("pending", Json.toTree(run.pending()));
            });
    return state(json, true, page, offset);
  }

  /** The state of a run the read model has no row for yet, from the live run: no times. */
  static ObjectNode liveState(RunResult run) {
    return state(runState(run, null, null), false, NO_MESSAGES, 0);
  }

  /** {@code {runs: [row...], nextCursor}}. */
  static ObjectNode runs(RunPage page) {
    ObjectNode json = Json.object();
    ArrayNode runs = json.putArray("runs");
    page.runs().forEach(row -> runs.add(row(row)));
    json.put("nextCursor", page.nextCursor());
    return json;
  }

  private static ObjectNode state(ObjectNode run, boolean projected, MessagePage page, int offset) {
    run.put("projected", projected);
    ArrayNode messages = run.putArray("messages");
    for (StoredMessage message : page.messages()) {
      ObjectNode m = (ObjectNode) Json.toTree(message);
      m.put("createdAt", time(message.createdAt()));
      messages.add(m);
    }
    run.put("offset", offset);
    run.put("total", page.total());
    run.put("hasMore", page.hasMore());
    return run;
  }

  private static ObjectNode row(AgentStateRow row) {
    return runState(row.toResult(), time(row.createdAt()), time(row.updatedAt()));
  }

  /** The fields of a run's row of {@code agent_state}; the times null for a live run. */
  private static ObjectNode runState(RunResult run, String createdAt, String updatedAt) {
    ObjectNode json = Json.object();
    json.put("runId", run.runId());
    json.put("agentType", run.agentType());
    json.put("streamId", run.streamId());
    json.put("status", run.status().name());
    json.put("stepCount", run.steps());
    json.set("customState", run.state());
    json.set("output", run.output());
    json.put("error", run.error());
    json.put("parentAgentId", run.parentRunId());
    json.put("aborted", run.aborted());
    json.put("abortReason", run.abortReason());
    json.set("usage", Json.toTree(run.usage()));
    json.set("pending", Json.toTree(run.pending()));
    if (run.owner() != null) {
      json.put("owner", run.owner());
    }
    if (run.sessionId() != null) {
      json.put("sessionId", run.sessionId());
    }
    json.put("createdAt", createdAt);
    json.put("updatedAt", updatedAt);
    return json;
  }

  private static String time(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).toString();
  }

  // ---- agents

  /**
   * {@code {agents: [...]}}, each agent with every tool as the model sees it: its own, a {@code
   * subagent__<name>} per sub-agent, {@code __finish__}; and its token budget per run ({@code
   * maxTokens}, as {@code tokenBudget} resolves it; 0: no limit).
   */
  static ObjectNode agents(
      Collection<AgentDefinition> agents, java.util.function.ToLongFunction<AgentDefinition> tokenBudget) {
    ArrayNode list = Json.mapper().createArrayNode();
    for (AgentDefinition agent : agents) {
      ObjectNode json = list.addObject();
      json.put("name", agent.name());
      json.put("description", agent.description());
      json.put("model", agent.model());
      json.put("maxSteps", agent.maxSteps());
      json.put("maxTokens", tokenBudget.applyAsLong(agent));
      json.set("outputSchema", agent.outputSchema());
      ArrayNode subAgents = json.putArray("subAgents");
      for (AgentDefinition sub : agent.subAgents()) {
        subAgents.add(sub.name());
      }
      ArrayNode tools = json.putArray("tools");
      for (ToolSpec tool : agent.modelTools()) {
        ObjectNode t = tools.addObject();
        t.put("name", tool.name());
        t.put("description", tool.description());
        t.set("inputSchema", tool.inputSchema());
        t.put("kind", toolKind(tool.name()));
      }
    }
    ObjectNode json = Json.object();
    json.set("agents", list);
    return json;
  }

  private static String toolKind(String name) {
    if (name.equals(AgentDefinition.FINISH_TOOL)) {
      return "finish";
    }
    return name.startsWith(AgentDefinition.SUB_AGENT_PREFIX) ? "subagent" : "tool";
  }

  // ---- the ends of SSE and WebSocket subscriptions

  /** {@code {"type":"resume","from":N}}: the offset to subscribe again from. */
  static String resume(long from) {
    return Json.write(Json.object().put("type", RESUME).put("from", from));
  }

  /** {@code {"type":"stream_end","last":L,"next":N}}: the stream ended, its last chunk at L. */
  static String streamEnd(long next) {
    return Json.write(
        Json.object().put("type", STREAM_END).put("last", next - 1).put("next", next));
  }
}
