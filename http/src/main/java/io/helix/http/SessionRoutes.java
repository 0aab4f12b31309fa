package io.helix.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.agent.AgentExecutor;
import io.helix.agent.SessionView;
import io.helix.history.StoredMessage;
import io.helix.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Sessions, each the request principal's own ({@link Ownership}: another principal's equal id is
 * another session): {@code GET /agent/sessions/{id}} (agent type, turns with their runs and
 * statuses, the active run), {@code GET /agent/sessions/{id}/messages?offset&limit} (the
 * conversation of its ended turns, paged) and {@code DELETE /agent/sessions/{id}} (erases it and
 * its runs: 204; afterwards they answer 404). A turn is started by {@code POST /agent/execute} with
 * a {@code sessionId}.
 */
final class SessionRoutes extends AllDirectives {

  private final AgentExecutor executor;
  private final RequestParsing requests;
  private final RunDirectives runs;

  SessionRoutes(AgentExecutor executor, RequestParsing requests, RunDirectives runs) {
    this.executor = executor;
    this.requests = requests;
    this.runs = runs;
  }

  Route session(String sessionId) {
    return requests.noParams(
        () -> withSession(sessionId, session -> complete(Presenters.ok(json(session)))));
  }

  Route messages(String sessionId) {
    return requests.messagesQuery(
        query ->
            withSession(
                sessionId,
                session -> {
                  List<io.helix.model.Message> all = session.messages();
                  int from = Math.min(query.offset(), all.size());
                  int to = Math.min(all.size(), from + query.limit());
                  ObjectNode json = Json.object();
                  json.put("sessionId", session.sessionId());
                  ArrayNode messages = json.putArray("messages");
                  for (int i = from; i < to; i++) {
                    messages.add(
                        Json.toTree(StoredMessage.of(i, all.get(i), query.includeThinking())));
                  }
                  json.put("offset", query.offset());
                  json.put("total", all.size());
                  json.put("hasMore", to < all.size());
                  return complete(Presenters.ok(json));
                }));
  }

  Route erase(String sessionId) {
    return requests.noParams(
        () ->
            runs.withPrincipal(
                principal ->
                    onSuccess(
                        RunDirectives.invoke(
                            () -> executor.deleteSession(Ownership.ownerOf(principal), sessionId)),
                        deleted ->
                            deleted
                                ? complete(StatusCodes.NO_CONTENT)
                                : complete(Problems.sessionNotFound(sessionId)))));
  }

  private Route withSession(String sessionId, Function<SessionView, Route> inner) {
    return runs.withPrincipal(
        principal ->
            onSuccess(
                RunDirectives.invoke(
                    () -> executor.getSession(Ownership.ownerOf(principal), sessionId)),
                (Optional<SessionView> found) ->
                    found.map(inner).orElseGet(() -> complete(Problems.sessionNotFound(sessionId)))));
  }

  private static ObjectNode json(SessionView session) {
    ObjectNode json = Json.object();
    json.put("sessionId", session.sessionId());
    json.put("agentType", session.agentType());
    if (session.owner() != null) {
      json.put("owner", session.owner());
    }
    json.put("activeRunId", session.activeRunId());
    ArrayNode turns = json.putArray("turns");
    for (SessionView.Turn turn : session.turns()) {
      ObjectNode t = turns.addObject();
      t.put("runId", turn.runId());
      t.put("message", turn.message());
      t.put("status", turn.status().name());
      t.put("startedAt", Instant.ofEpochMilli(turn.startedAt()).toString());
      t.put("endedAt", turn.endedAt() == 0 ? null : Instant.ofEpochMilli(turn.endedAt()).toString());
    }
    json.put("messageCount", session.messages().size());
    json.put("createdAt", Instant.ofEpochMilli(session.createdAt()).toString());
    json.put("updatedAt", Instant.ofEpochMilli(session.updatedAt()).toString());
    return json;
  }

  /** Routes under {@code /agent/sessions}. */
  Route routes() {
    return pathPrefix(
        "sessions",
        () ->
            pathPrefix(
                org.apache.pekko.http.javadsl.server.PathMatchers.segment(),
                sessionId ->
                    concat(
                        pathEnd(
                            () -> concat(get(() -> session(sessionId)), delete(() -> erase(sessionId)))),
                        path("messages", () -> get(() -> messages(sessionId))))));
  }
}
