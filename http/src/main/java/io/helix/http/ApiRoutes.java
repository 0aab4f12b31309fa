package io.helix.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentRegistry;
import io.helix.history.StateStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The routes of {@link HttpApi}, composed: the route tree over the resources' routes, inside the
 * {@link RequestGate} (request id, CORS, authentication) and the {@link ErrorHandling}. See {@link
 * HttpApi} for the endpoints and their errors.
 */
final class ApiRoutes extends AllDirectives {

  /**
   * Every route, as {@code METHOD /path} with {@code {name}} for a path segment: what {@link
   * #routes()} serves, kept equal to the OpenAPI document by {@code OpenApiConformanceTest}.
   */
  static final List<String> ROUTES =
      List.of(
          "POST /agent/execute",
          "GET /agent/stream/{runId}",
          "POST /agent/stream-ticket/{runId}",
          "GET /agent/result/{runId}",
          "POST /agent/abort/{runId}",
          "POST /agent/approve/{runId}",
          "POST /agent/tool-result/{runId}",
          "POST /agent/interrupt/{runId}",
          "POST /agent/resume/{runId}",
          "GET /agent/state/{runId}",
          "GET /agent/runs",
          "GET /agent/agents",
          "GET /agent/me",
          "GET /agent/sessions/{sessionId}",
          "DELETE /agent/sessions/{sessionId}",
          "GET /agent/sessions/{sessionId}/messages",
          "GET /ws/{streamId}",
          "GET /openapi.json",
          "POST /api/chat",
          "GET /api/chat/{chatId}/stream");

  private final RequestGate gate;
  private final ErrorHandling errors;
  private final Subscriptions subscriptions;
  private final QuotaGate quotas;
  private final RunRoutes runs;
  private final StreamRoutes streams;
  private final HistoryRoutes history;
  private final AgentRoutes agents;
  private final WebSocketRoutes webSockets;
  private final ChatRoutes chats;
  private final SessionRoutes sessions;

  ApiRoutes(
      AgentExecutor executor, AgentRegistry agents, StateStore history, HttpSettings settings) {
    this.errors = new ErrorHandling(settings);
    this.quotas = new QuotaGate(settings.quotas());
    this.subscriptions = new Subscriptions();
    this.gate = new RequestGate(settings);
    RequestParsing requests = new RequestParsing(settings);
    RunDirectives runDirectives = new RunDirectives(executor);
    RequestBodies bodies = new RequestBodies(settings, requests);
    this.runs = new RunRoutes(executor, requests, bodies, runDirectives, errors, quotas);
    this.streams =
        new StreamRoutes(
            requests,
            runDirectives,
            subscriptions,
            settings.sseHeartbeat(),
            quotas,
            gate.tickets(),
            bodies);
    this.history = new HistoryRoutes(history, requests, runDirectives);
    this.agents = new AgentRoutes(agents, executor, requests, settings.quotas(), runDirectives);
    this.webSockets =
        new WebSocketRoutes(requests, runDirectives, subscriptions, settings, quotas);
    this.chats =
        new ChatRoutes(
            executor, bodies, runDirectives, subscriptions, settings.sseHeartbeat(), quotas);
    this.sessions = new SessionRoutes(executor, requests, runDirectives);
  }

  Route route() {
    return gate.wrap(errors::wrap, this::routes);
  }

  /**
   * Ends every open SSE and WebSocket stream with a resume event/frame naming where to go on;
   * completes when they all have ended, at most after {@code within}.
   */
  CompletionStage<Done> endStreams(Duration within) {
    return subscriptions.endAll(within);
  }

  /** The streams' hubs on this node (for tests and benchmarks to look at). */
  StreamHubs hubs() {
    return subscriptions.hubs();
  }

  private Route routes() {
    return concat(
        ConsoleRoutes.route(),
        path("openapi.json", () -> get(agents::openApi)),
        pathPrefix(
            "agent",
            () ->
                concat(
                    path("execute", () -> post(runs::execute)),
                    byId("stream", runId -> get(() -> streams.stream(runId))),
                    byId("stream-ticket", runId -> post(() -> streams.ticket(runId))),
                    byId("result", runId -> get(() -> runs.result(runId))),
                    byId("abort", runId -> post(() -> runs.abort(runId))),
                    byId("approve", runId -> post(() -> runs.approve(runId))),
                    byId("tool-result", runId -> post(() -> runs.toolResult(runId))),
                    byId("interrupt", runId -> post(() -> runs.interrupt(runId))),
                    byId("resume", runId -> post(() -> runs.resume(runId))),
                    byId("state", runId -> get(() -> history.state(runId))),
                    path("runs", () -> get(history::listRuns)),
                    path("agents", () -> get(agents::listAgents)),
                    path("me", () -> get(agents::me)),
                    sessions.routes())),
        byId("ws", streamId -> get(() -> webSockets.webSocket(streamId))),
        chats.routes());
  }

  /** {@code /<resource>/<id>}. */
  private Route byId(String resource, Function<String, Route> inner) {
    return path(segment(resource).slash(segment()), inner);
  }
}
