package io.helix.http;

import io.helix.agent.AgentHandle;
import io.helix.stream.StreamStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The SSE and WebSocket subscriptions to run streams. Each reads its stream from an offset, never a
 * chunk before it nor one twice. When the server shuts down, {@link #endAll} fails them all, so
 * that each ends with its resume event or frame, and waits for them. The subscribers of a stream
 * near its live end share one subscription per node and each chunk's wire forms ({@link
 * StreamHubs}).
 */
final class Subscriptions {

  /** Aborted when the server shuts down: every subscription ends with its resume offset. */
  private final SharedKillSwitch shutdown = KillSwitches.shared("helix-http-shutdown");

  /** The open subscriptions, by their completion. */
  private final Set<CompletionStage<Done>> open = ConcurrentHashMap.newKeySet();

  private final StreamHubs hubs = new StreamHubs();

  /**
   * A subscription to the handle's stream from {@code offset} ({@code status} the stream's status
   * when the client came, if known): {@code render} turns the chunks (from the offset on, each
   * once, failing when the server shuts down) into what the client receives. {@code render} is
   * applied per materialization, so state it keeps (the offset to resume from) is each
   * subscriber's own. {@code onEnd} runs once when it ends.
   */
  <T> Source<T, NotUsed> subscribe(
      AgentHandle handle,
      long offset,
      Optional<StreamStatus> status,
      Function<Source<RenderedChunk, NotUsed>, Source<T, NotUsed>> render,
      Runnable onEnd) {
    return Source.fromMaterializer(
            (materializer, attributes) -> render.apply(chunks(handle, offset, status)))
        .watchTermination(
            (ignored, done) -> {
              done.whenComplete((ok, error) -> onEnd.run());
              return track(ignored, done);
            });
  }


  /** The hubs that serve the subscriptions. */
  StreamHubs hubs() {
    return hubs;
  }

  private Source<RenderedChunk, NotUsed> chunks(
      AgentHandle handle, long offset, Optional<StreamStatus> status) {
    AtomicLong next = new AtomicLong(offset);
    return hubs.subscribe(handle, offset, status)
        // ends the subscription, with its resume offset, when the server shuts down
        .via(shutdown.flow())
        // never a chunk before the offset, nor one twice
        .filter(
            chunk -> {
              if (chunk.seq() < next.get()) {
                return false;
              }
              next.set(chunk.seq() + 1);
              return true;
            });
  }

  private NotUsed track(Object ignored, CompletionStage<Done> done) {
    open.add(done);
    done.whenComplete((ok, error) -> open.remove(done));
    return NotUsed.notUsed();
  }

  /**
   * Ends every open subscription with a resume event/frame naming where to go on; completes when
   * they all have ended (and a moment for the last bytes to be written), at most after {@code
   * within}.
   */
  CompletionStage<Done> endAll(Duration within) {
    shutdown.abort(new ServerShuttingDownException());
    CompletableFuture<?>[] ending =
        open.stream()
            .map(stage -> stage.toCompletableFuture().exceptionally(error -> null))
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(ending)
        .thenCompose(
            all ->
                CompletableFuture.runAsync(
                    () -> {}, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)))
        .completeOnTimeout(null, within.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(ignored -> Done.getInstance());
  }

  /** Why the subscriptions end when the server shuts down. */
  static final class ServerShuttingDownException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ServerShuttingDownException() {
      super("the server is shutting down", null, false, false);
    }
  }
}
