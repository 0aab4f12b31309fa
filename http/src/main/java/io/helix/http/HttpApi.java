package io.helix.http;

import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentRegistry;
import java.util.Objects;
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
 * HttpApi api = new HttpApi(executor, agents, HttpSettings.fromConfig(system.settings().config()));
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
 *   <li>{@code GET /agent/agents}: {@code {"agents": [{name, description, model, maxSteps, tools:
 *       [{name, description, inputSchema}]}]}}.
 *   <li>{@code GET /ws/{streamId}} (WebSocket; a stream's id is its root run's id): the same chunks
 *       as text frames (the same JSON as the SSE data), from {@code ?from=N} (inclusive, default
 *       0). A ping frame after each {@code helix.http.ws-keep-alive} of silence. When the stream
 *       ends, a last frame {@code {"type":"stream_end","last":L,"next":N}} ({@code last} = the
 *       offset of the last chunk) and a normal close (1000); a subscription closed early (the
 *       client fell too far behind) ends with {@code {"type":"resume","from":N}} and a normal close
 *       instead. Frames from the client are ignored. 404 {@code stream-not-found} or 410 {@code
 *       stream-deleted} before the upgrade; 400 for a request that is not a WebSocket upgrade.
 * </ul>
 *
 * <p>Streams end when their root run ends and are kept for {@code helix.stream.retention} (24 h by
 * default); reading one after that is answered 410 {@code stream-deleted}.
 *
 * <h2>Errors</h2>
 *
 * Every error is an RFC 9457 {@code application/problem+json} body {@code {type, title, status,
 * detail}} with {@code type} {@code urn:helix:problem:<kind>}:
 *
 * <ul>
 *   <li>400 {@code malformed-json}: the body is not one JSON document
 *   <li>400 {@code invalid-request}: a missing or ill-typed field, no body, an invalid {@code
 *       runId}, a bad {@code ?wait=}, {@code ?from=} or {@code Last-Event-ID}
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
 *   <li>{@code about:blank} with the status Pekko chose, for any other rejection
 * </ul>
 */
public final class HttpApi {

  private final Route routes;
  private final HttpSettings settings;

  public HttpApi(AgentExecutor executor, AgentRegistry agents, HttpSettings settings) {
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(agents, "agents");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.routes = new ApiRoutes(executor, agents, settings).route();
  }

  /** The routes, with their error handling; to serve them alongside routes of your own. */
  public Route routes() {
    return routes;
  }

  /**
   * Serves the API on {@code host:port} (port 0: any free port, see the binding's address), with
   * WebSocket pings after {@code helix.http.ws-keep-alive} of silence.
   */
  public CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port) {
    ServerSettings server = ServerSettings.create(system.classicSystem());
    ServerSettings withPings =
        server.withWebsocketSettings(
            server
                .getWebsocketSettings()
                .withPeriodicKeepAliveMode("ping")
                .withPeriodicKeepAliveMaxIdle(settings.wsKeepAlive()));
    return Http.get(system).newServerAt(host, port).withSettings(withPings).bind(routes);
  }

  /** Serves the API on {@code helix.http.host} and {@code helix.http.port} of the settings. */
  public CompletionStage<ServerBinding> bind(ActorSystem<?> system) {
    return bind(system, settings.host(), settings.port());
  }
}
