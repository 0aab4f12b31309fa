package io.helix.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A client of a Helix server's HTTP API: start runs, follow their chunks, wait for results, abort,
 * and read the run history. Thread-safe; one instance serves an application.
 *
 * <pre>{@code
 * HelixClient helix = HelixClient.builder("http://127.0.0.1:8080").bearerToken("tok-1").build();
 * Execution run = helix.execute("research", "What is (12+30)*2?");
 * try (ChunkStream chunks = helix.stream(run.runId())) {
 *   for (Chunk chunk : chunks) {
 *     if (chunk instanceof Chunk.TextDelta text) System.out.print(text.delta());
 *   }
 * }
 * RunResult result = helix.result(run.runId(), Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>Every call blocks its thread. A call the server answers with an error throws {@link
 * HelixApiException} (the RFC 9457 problem); a call that cannot reach the server throws {@link
 * HelixException}. Only streams retry by themselves (see {@link ChunkStream}); to retry {@link
 * #execute(String, String, String)} safely, give it a run id of your own.
 */
public final class HelixClient {

  private static final Duration MIN_POLL = Duration.ofMillis(200);

  private final Transport transport;

  private HelixClient(Transport transport) {
    this.transport = transport;
  }

  /** A builder for a server at {@code baseUri}, e.g. {@code http://127.0.0.1:8080}. */
  public static Builder builder(String baseUri) {
    return builder(URI.create(baseUri));
  }

  /** A builder for a server at {@code baseUri}. */
  public static Builder builder(URI baseUri) {
    return new Builder(baseUri);
  }

  /** A client with the defaults, without a token. */
  public static HelixClient create(String baseUri) {
    return builder(baseUri).build();
  }

  /** The server's address. */
  public URI baseUri() {
    return transport.baseUri;
  }

  // ---- runs

  /** Starts a run of {@code agentType} with {@code message} ({@code POST /agent/execute}). */
  public Execution execute(String agentType, String message) {
    return execute(agentType, message, null);
  }

  /**
   * Starts a run with a run id of your own, which makes it idempotent: the same id, agent type and
   * message answer the run already started; another agent type or message with that id is a 409
   * {@link HelixApiException}.
   *
   * @param runId the run's id, or null to let the server choose one
   */
  public Execution execute(String agentType, String message, String runId) {
    ObjectNode body =
        Transport.MAPPER.createObjectNode().put("agentType", agentType).put("message", message);
    if (runId != null) {
      body.put("runId", runId);
    }
    return transport.post("/agent/execute", body, Responses::execution);
  }

  /** The run's chunks from the beginning; see {@link ChunkStream}. */
  public ChunkStream stream(String runId) {
    return stream(runId, 0);
  }

  /**
   * The run's chunks from {@code fromOffset} (inclusive) on: {@code chunk.seq() + 1} of the last
   * chunk you have resumes after it. Nothing is sent before the first {@code hasNext()}. A
   * sub-agent's run id gives its root run's stream, from the offset, up to the sub-agent's {@code
   * run_end}.
   */
  public ChunkStream stream(String runId, long fromOffset) {
    return new ChunkStream(this, Objects.requireNonNull(runId, "runId"), fromOffset);
  }

  /**
   * Follows the run's chunks on a thread of its own, handing each to {@code onChunk} in order. The
   * future completes after the run's {@code run_end} was handed over, exceptionally when the stream
   * fails (as {@link ChunkStream} throws) or {@code onChunk} throws; cancelling it ends the stream.
   */
  public CompletableFuture<Void> follow(
      String runId, long fromOffset, Consumer<? super Chunk> onChunk) {
    ChunkStream chunks = stream(runId, fromOffset);
    CompletableFuture<Void> done =
        new CompletableFuture<>() {
          @Override
          public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning); // before the thread completes
            chunks.close();
            return cancelled;
          }
        };
    Thread thread =
        new Thread(
            () -> {
              try (chunks) {
                for (Chunk chunk : chunks) {
                  onChunk.accept(chunk);
                }
                done.complete(null);
              } catch (Throwable error) {
                done.completeExceptionally(error);
              }
            },
            "helix-stream-" + runId);
    thread.setDaemon(true);
    thread.start();
    return done;
  }

  /** The run's result now: while it runs, its progress with status {@code RUNNING}. */
  public RunResult result(String runId) {
    return transport.get(Transport.runPath("result", runId), Map.of(), Responses::runResult);
  }

  /**
   * The run's result once it has ended, or its progress when {@code wait} passes first. Long-polls
   * ({@code ?wait=}), again as often as the server's longest wait requires.
   */
  public RunResult result(String runId, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      long left = Math.max(0, deadline - System.nanoTime());
      long started = System.nanoTime();
      String seconds = BigDecimal.valueOf(TimeUnit.NANOSECONDS.toMillis(left), 3).toPlainString();
      RunResult result =
          transport.call(
              "GET",
              Transport.runPath("result", runId),
              left == 0 ? Map.of() : Map.of("wait", seconds),
              null,
              transport.requestTimeout.plusNanos(left),
              Responses::runResult);
      if (result.status() != RunStatus.RUNNING || deadline - System.nanoTime() <= 0) {
        return result;
      }
      long took = System.nanoTime() - started;
      if (took < MIN_POLL.toNanos()) { // a server that does not wait: no busy loop
        pause(Math.min(MIN_POLL.toNanos() - took, deadline - System.nanoTime()));
      }
    }
  }

  /**
   * Aborts the run (the model call in flight is cancelled) and answers its status after; an ended
   * run is answered as it is.
   *
   * @param reason why, kept with the run; may be null
   */
  public RunResult abort(String runId, String reason) {
    ObjectNode body = Transport.MAPPER.createObjectNode();
    if (reason != null) {
      body.put("reason", reason);
    }
    return transport.post(Transport.runPath("abort", runId), body, Responses::runResult);
  }

  /**
   * Decides a pending approval of a suspended run (see {@link RunResult#pending()}): approved, the
   * tool runs (once, also across crashes); denied, the model is told so with {@code reason}. The
   * same decision again is answered as the first time; another decision is a 409.
   */
  public RunResult approve(String runId, String approvalId, boolean approved, String reason) {
    ObjectNode body = Transport.MAPPER.createObjectNode();
    body.put("approvalId", approvalId).put("approved", approved);
    if (reason != null) {
      body.put("reason", reason);
    }
    return transport.post(Transport.runPath("approve", runId), body, Responses::runResult);
  }

  /**
   * Answers a client-executed tool call of a suspended run with its result (validated against the
   * tool's output schema: 400 otherwise, the run still waiting).
   */
  public RunResult submitToolResult(String runId, String toolCallId, JsonNode result) {
    ObjectNode body = Transport.MAPPER.createObjectNode().put("toolCallId", toolCallId);
    body.set("result", result);
    return transport.post(Transport.runPath("tool-result", runId), body, Responses::runResult);
  }

  /** Answers a client-executed tool call of a suspended run with an error the model sees. */
  public RunResult submitToolError(String runId, String toolCallId, String error) {
    ObjectNode body =
        Transport.MAPPER.createObjectNode().put("toolCallId", toolCallId).put("error", error);
    return transport.post(Transport.runPath("tool-result", runId), body, Responses::runResult);
  }

  /**
   * Interrupts the run: a soft stop (the model call and tools in flight are cancelled, what the
   * model streamed is kept); {@link #resume} continues it.
   */
  public RunResult interrupt(String runId, String reason) {
    ObjectNode body = Transport.MAPPER.createObjectNode();
    if (reason != null) {
      body.put("reason", reason);
    }
    return transport.post(Transport.runPath("interrupt", runId), body, Responses::runResult);
  }

  /** Continues an interrupted run, with a further user message when not null. */
  public RunResult resume(String runId, String message) {
    ObjectNode body = Transport.MAPPER.createObjectNode();
    if (message != null) {
      body.put("message", message);
    }
    return transport.post(Transport.runPath("resume", runId), body, Responses::runResult);
  }

  /** The run's state and its first 100 messages. */
  public RunState state(String runId) {
    return state(runId, 0, 100, false);
  }

  /** The run's state and {@code limit} (0..1000) of its messages from {@code offset}. */
  public RunState state(String runId, int offset, int limit) {
    return state(runId, offset, limit, false);
  }

  /**
   * The run's state and a page of its messages; with {@code includeThinking} the assistant
   * messages carry the models' reasoning.
   */
  public RunState state(String runId, int offset, int limit, boolean includeThinking) {
    Map<String, String> query =
        includeThinking
            ? Map.of("offset", "" + offset, "limit", "" + limit, "includeThinking", "true")
            : Map.of("offset", "" + offset, "limit", "" + limit);
    return transport.get(Transport.runPath("state", runId), query, Responses::runState);
  }

  /** A page of runs, newest first ({@code GET /agent/runs}); see {@link RunFilter}. */
  public RunPage runs(RunFilter filter) {
    return transport.get("/agent/runs", filter.queryParameters(), Responses::runPage);
  }

  /** The agent types the server runs, with their tools. */
  public List<AgentInfo> agents() {
    return transport.get("/agent/agents", Map.of(), Responses::agents);
  }

  private static void pause(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(Math.max(0, nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HelixException("interrupted while waiting for a result", e);
    }
  }

  Transport transport() {
    return transport;
  }

  /**
   * Settings of a {@link HelixClient}. Defaults: connect timeout 10 s, request timeout 30 s (to
   * the response's head; a long-poll gets its wait on top), stream idle timeout 45 s (the server
   * sends a heartbeat after 15 s of silence), reconnect backoff from 100 ms doubling up to 5 s,
   * giving up after 60 s without reaching the server.
   */
  public static final class Builder {
    final URI baseUri;
    String bearerToken;
    HttpClient httpClient;
    Duration connectTimeout = Duration.ofSeconds(10);
    Duration requestTimeout = Duration.ofSeconds(30);
    Duration streamIdleTimeout = Duration.ofSeconds(45);
    Duration reconnectInitialBackoff = Duration.ofMillis(100);
    Duration reconnectMaxBackoff = Duration.ofSeconds(5);
    Duration reconnectGiveUpAfter = Duration.ofSeconds(60);

    private Builder(URI baseUri) {
      this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
      String scheme = baseUri.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new IllegalArgumentException("the base URI must be http or https: " + baseUri);
      }
    }

    /**
     * Sends {@code Authorization: Bearer <token>} with every request: one of the server's {@code
     * HELIX_API_TOKENS}.
     */
    public Builder bearerToken(String token) {
      this.bearerToken = token;
      return this;
    }

    /**
     * The HTTP client to use (its own connect timeout, proxy, TLS, executor); by default one of
     * HTTP/1.1 with the connect timeout.
     */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = httpClient;
      return this;
    }

    /** How long connecting may take (for the default HTTP client). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** How long a request may wait for its response to start. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /** A stream with nothing at all (no chunk, no heartbeat) for this long reconnects. */
    public Builder streamIdleTimeout(Duration timeout) {
      this.streamIdleTimeout = positive(timeout, "streamIdleTimeout");
      return this;
    }

    /** A stream's reconnect backoff: {@code initial}, doubling up to {@code max}, with jitter. */
    public Builder reconnectBackoff(Duration initial, Duration max) {
      this.reconnectInitialBackoff = positive(initial, "initial");
      this.reconnectMaxBackoff = positive(max, "max");
      return this;
    }

    /**
     * A stream gives up (throws {@link HelixException}) once reconnecting has failed for this long
     * without a chunk or a heartbeat in between.
     */
    public Builder reconnectGiveUpAfter(Duration giveUp) {
      this.reconnectGiveUpAfter = positive(giveUp, "reconnectGiveUpAfter");
      return this;
    }

    public HelixClient build() {
      return new HelixClient(new Transport(this));
    }

    private static Duration positive(Duration value, String name) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }
  }
}
