package io.helix.http;

import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentRegistry;
import com.typesafe.config.Config;
import io.helix.history.StateStore;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;

/**
 * The HTTP API of the runtime: REST, Server-Sent Events and WebSocket over an {@link
 * AgentExecutor}.
 *
 * <pre>{@code
 * HttpApi api = new HttpApi(executor, agents, stateStore, HttpSettings.fromConfig(system.settings().config()));
 * api.bind(system, "0.0.0.0", 8080);   // or api.routes() to combine with routes of your own
 * }</pre>
 *
 * <h2>Endpoints</h2>
 *
 * <ul>
 *   <li>{@code POST /agent/execute} with {@code {agentType, message, runId?}} (JSON): starts a run
 *       and answers {@code 202 Accepted} with {@code {runId, streamUrl, resultUrl}} and a {@code
 *       Location} of the result. With a {@code runId} it is idempotent: the same id with the same
 *       agent type and message answers the existing run.
 *   <li>{@code GET /agent/stream/{runId}}: the run's chunks as Server-Sent Events, {@code id:} =
 *       the chunk's offset ({@code seq}), {@code data:} = the chunk's JSON (its {@code type}
 *       inside; no {@code event:} field, so an EventSource's {@code onmessage} sees every chunk).
 *       Resumes after the {@code Last-Event-ID} header (from its id + 1), else from {@code ?from=N}
 *       (inclusive), else from 0; {@code Last-Event-ID} wins over {@code ?from=} since a
 *       reconnecting EventSource sends its original URL. Heartbeats (the comment line {@code :
 *       heartbeat}, which SSE clients skip) after each {@code helix.http.sse-heartbeat} of silence.
 *       The response ends when the stream ends (after the {@code run_end} chunk). If the
 *       subscription is closed early (the client fell too far behind), a last event {@code event:
 *       resume} with {@code {"type":"resume","from":N}} names the offset to reconnect from.
 *   <li>{@code GET /agent/result/{runId}}: the run's {@link io.helix.agent.RunResult} as JSON
 *       ({@code runId, agentType, status (running|completed|failed), output, error, aborted,
 *       abortReason, steps, usage}). With {@code ?wait=<seconds>} (decimal allowed) it answers when
 *       the run ends or the wait passes, whichever is first; the wait is cut to {@code
 *       helix.http.result-wait-max}. It always answers {@code 200}, also while running.
 *   <li>{@code POST /agent/abort/{runId}} with an optional body {@code {reason}}: aborts the run
 *       and answers its status afterwards ({@code failed}, {@code aborted = true}); a run that had
 *       already ended is answered unchanged.
 *   <li>{@code GET /agent/state/{runId}?offset=0&limit=100&includeThinking=false}: the run's row of
 *       the read model ({@code runId, agentType, streamId, status, stepCount, customState, output,
 *       error, parentAgentId, aborted, abortReason, usage, createdAt, updatedAt}, times ISO-8601)
 *       with a page of its messages ({@code messages, offset, total, hasMore}) and {@code
 *       "projected": true}. The read model trails the journal: a run it has no row for yet is
 *       answered from the live run, with {@code "projected": false} and no messages. 404 only when
 *       neither knows the run.
 *   <li>{@code GET /agent/runs?status=&agentType=&createdFrom=&createdBefore=&rootsOnly=&limit=50&cursor=}:
 *       {@code {runs: [row...], nextCursor}}, newest first; {@code nextCursor} (null on the last
 *       page) gives the next page as {@code cursor}. Times are ISO-8601 instants or epoch
 *       milliseconds. A bad value or an unknown parameter is 400; without run history, 503.
 *   <li>{@code GET /agent/agents}: {@code {"agents": [{name, description, model, maxSteps,
 *       outputSchema, subAgents, tools: [{name, description, inputSchema, kind}]}]}}, the tools as
 *       the model sees them: the agent's own ({@code kind: tool}), {@code subagent__<name>} per
 *       sub-agent ({@code subagent}) and {@code __finish__} for an agent with an output schema
 *       ({@code finish}).
 *   <li>{@code GET /openapi.json}: the OpenAPI 3.1 document of this API.
 *   <li>{@code GET /console/}: the run console, a page to watch, start and abort runs in a browser
 *       (not part of the API's OpenAPI document; see {@link ConsoleRoutes}).
 *   <li>{@code GET /ws/{streamId}} (WebSocket; a stream's id is its root run's id): the same chunks
 *       as text frames (the same JSON as the SSE data), from {@code ?from=N} (inclusive, default
 *       0). A ping frame after each {@code helix.http.ws-keep-alive} of silence. When the stream
 *       ends, a last frame {@code {"type":"stream_end","last":L,"next":N}} ({@code last} = the
 *       offset of the last chunk) and a normal close (1000); a subscription closed early (the
 *       client fell too far behind) ends with {@code {"type":"resume","from":N}} and a normal close
 *       instead. A client frame {@code {"type":"abort","reason":"..."}} aborts the stream's run; other
 *       frames from the client are ignored. 404 {@code stream-not-found} or 410 {@code
 *       stream-deleted} before the upgrade; 400 for a request that is not a WebSocket upgrade.
 * </ul>
 *
 * <p>Streams end when their root run ends and are kept for {@code helix.stream.retention} (24 h by
 * default); reading one after that is answered 410 {@code stream-deleted}.
 *
 * <h2>Security, request ids, CORS, shutdown</h2>
 *
 * <p>With {@code helix.http.auth.tokens} set (env {@code HELIX_API_TOKENS}, comma-separated), every
 * request needs {@code Authorization: Bearer <token>}; a WebSocket or an SSE stream may give {@code
 * ?access_token=<token>} instead (browsers cannot set headers on those), and the run console's
 * static files need none (the page asks for a token to call the API with). Otherwise 401
 * {@code unauthorized} with {@code WWW-Authenticate: Bearer}. Every response carries {@code
 * X-Request-Id} (the client's when well-formed, else generated), also in the log lines. CORS per
 * {@code helix.http.cors.allowed-origins}. Request bodies are strict: an unknown field is 400. On
 * Coordinated Shutdown the server stops accepting connections, ends SSE streams and WebSockets with
 * their resume offset, and gives in-flight requests {@code helix.http.shutdown-deadline}. See
 * {@link RequestGate}.
 *
 * <h2>Errors</h2>
 *
 * Every error is an RFC 9457 {@code application/problem+json} body {@code {type, title, status,
 * detail}} with {@code type} {@code urn:helix:problem:<kind>}:
 *
 * <ul>
 *   <li>400 {@code malformed-json}: the body is not one JSON document
 *   <li>400 {@code invalid-request}: a missing, unknown or ill-typed field, no body, an invalid
 *       {@code runId}, a bad {@code ?wait=}, {@code ?from=}, {@code Last-Event-ID} or query of
 *       {@code /agent/state} and {@code /agent/runs}
 *   <li>401 {@code unauthorized}: no bearer token, or not a valid one
 *   <li>403 {@code cors-origin-not-allowed}: a CORS preflight from an origin not allowed
 *   <li>404 {@code unknown-agent}: no agent of that type (404 rather than 422: the agent type names
 *       a resource, listed at {@code /agent/agents})
 *   <li>404 {@code run-not-found}: no run of that id
 *   <li>404 {@code stream-not-found}: no stream of that id ({@code /ws/})
 *   <li>404 {@code not-found}: no such route
 *   <li>405 {@code method-not-allowed}, with an {@code Allow} header
 *   <li>408 {@code body-read-timeout}: the body did not arrive within {@code
 *       helix.http.body-read-timeout}
 *   <li>409 {@code run-conflict}: the {@code runId} names a run of another agent type or message
 *   <li>410 {@code stream-deleted}: the run's stream ended and was deleted after its retention
 *   <li>413 {@code payload-too-large}: the body exceeds {@code helix.http.max-body-size}
 *   <li>415 {@code unsupported-media-type}: a body that is not {@code application/json} (or {@code
 *       application/*+json})
 *   <li>503 {@code unavailable}: the runtime did not answer in time
 *   <li>500 {@code internal-error}: anything unexpected; no internals, only an id that is logged
 *       with the error
 *   <li>{@code about:blank} with the status Pekko chose, for any other rejection, and for requests
 *       too malformed to reach the routes (400, 414, 431, 501, 505; {@link
 *       ProblemParsingErrorHandler})
 * </ul>
 */
public final class HttpApi {

  private static final AtomicLong INSTANCES = new AtomicLong();

  private final Route routes;
  private final ApiRoutes api;
  private final HttpSettings settings;
  private final AtomicBoolean shutdownRegistered = new AtomicBoolean();

  /** The API without run history: {@code /agent/state} answers from the live run only and {@code
   * /agent/runs} is 503. */
  public HttpApi(AgentExecutor executor, AgentRegistry agents, HttpSettings settings) {
    this(executor, agents, null, settings);
  }

  /**
   * The API over the runtime and the run history (the read model; null: none).
   */
  public HttpApi(
      AgentExecutor executor, AgentRegistry agents, StateStore history, HttpSettings settings) {
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(agents, "agents");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.api = new ApiRoutes(executor, agents, history, settings);
    this.routes = api.route();
  }

  /**
   * Ends every open SSE stream and WebSocket with its resume offset (an SSE {@code resume} event,
   * a WebSocket {@code {"type":"resume","from":N}} frame). {@link #bind} calls it when the actor
   * system shuts down, in Coordinated Shutdown's {@code service-unbind} phase, before in-flight
   * requests are given {@code helix.http.shutdown-deadline} to finish. Completes when the streams
   * have ended (at most after 5 s).
   */
  public CompletionStage<Done> endStreams() {
    return api.endStreams(Duration.ofSeconds(5));
  }

  /** The streams' hubs on this node (for tests and benchmarks to look at). */
  StreamHubs hubs() {
    return api.hubs();
  }

  /** The routes, with their error handling; to serve them alongside routes of your own. */
  public Route routes() {
    return routes;
  }

  /**
   * Serves the API on {@code host:port} (port 0: any free port, see the binding's address), with
   * WebSocket pings after {@code helix.http.ws-keep-alive} of silence, and the accept backlog and
   * connection limit of {@code helix.http.backlog} and {@code helix.http.max-connections}.
   */
  public CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port) {
    ServerSettings server = ServerSettings.create(system.classicSystem());
    ServerSettings withPings =
        server.withWebsocketSettings(
            server
                .getWebsocketSettings()
                .withPeriodicKeepAliveMode("ping")
                .withPeriodicKeepAliveMaxIdle(settings.wsKeepAlive()));
    ServerSettings serverSettings =
        withPings
            .withParsingErrorHandler(ProblemParsingErrorHandler.class.getName())
            .withBacklog(settings.backlog())
            .withMaxConnections(settings.maxConnections());
    Config config = system.settings().config();
    Duration deadline =
        config.hasPath("helix.http.shutdown-deadline")
            ? config.getDuration("helix.http.shutdown-deadline")
            : Duration.ofSeconds(5);
    if (shutdownRegistered.compareAndSet(false, true)) {
      CoordinatedShutdown.get(system)
          .addTask(
              CoordinatedShutdown.PhaseServiceUnbind(),
              "helix-http-end-streams-" + INSTANCES.incrementAndGet(),
              () -> api.endStreams(deadline));
    }
    return Http.get(system)
        .newServerAt(host, port)
        .withSettings(serverSettings)
        .bind(routes)
        // in-flight requests may finish (up to the deadline) when the system shuts down
        .thenApply(binding -> binding.addToCoordinatedShutdown(deadline, system));
  }

  /** Serves the API on {@code helix.http.host} and {@code helix.http.port} of the settings. */
  public CompletionStage<ServerBinding> bind(ActorSystem<?> system) {
    return bind(system, settings.host(), settings.port());
  }
}
