package io.helix.agent;

import io.helix.stream.StreamChunk;
import io.helix.stream.StreamStatus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/** A run, started or found again by its id. */
public interface AgentHandle {

  String runId();

  /** Completes when the run ends, however long it takes. */
  CompletionStage<RunResult> result();

  /**
   * Completes when the run ends or {@code atMost} has passed, whichever is first, with the run as
   * it is then; nothing goes on waiting afterwards (a long-poll's wait).
   */
  CompletionStage<RunResult> result(java.time.Duration atMost);

  /** The run as it is now, running or ended. */
  CompletionStage<RunResult> status();

  /**
   * The run's chunks from {@code fromOffset} on: first those already stored, then live ones, with
   * no gap and no duplicate; completes when the stream ends. A sub-agent's run gives its root run's
   * stream, where its chunks go. Fails with {@link io.helix.stream.SubscriberTooSlowException} when
   * the consumer falls more than {@code helix.stream.subscriber-buffer} chunks behind (resume from
   * its offset), with {@link io.helix.stream.StreamUnavailableException} when this node stops
   * (resume elsewhere from its offset) — both {@link io.helix.stream.StreamInterruptedException}s
   * carrying the offset to resume from — and with {@link io.helix.stream.StreamDeletedException}
   * once the stream was deleted after its retention period.
   */
  Source<StreamChunk, NotUsed> stream(long fromOffset);

  /** The id of the stream the run writes to: its own id, or its root run's for a sub-agent. */
  default String streamId() {
    return runId();
  }

  /**
   * The run's stream as it is now: its next offset, whether it ended or was deleted after its
   * retention period. A handle that cannot tell fails with {@link UnsupportedOperationException}.
   */
  default CompletionStage<StreamStatus> streamStatus() {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("this handle does not report its stream's status"));
  }

  /**
   * Aborts the run: the model call and tools in flight are cancelled. On an ended run it changes
   * nothing. Completes with the run's status afterwards.
   */
  CompletionStage<RunResult> abort(String reason);
}
