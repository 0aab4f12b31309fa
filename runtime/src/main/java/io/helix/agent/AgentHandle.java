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

  /** The principal the run belongs to; null for the shared principal. */
  default String owner() {
    return null;
  }

  /**
   * Completes when the run ends, however long it takes, or when it waits for someone ({@link
   * RunStatus#suspended}: see {@link RunResult#pending()}) or to be resumed ({@link
   * RunStatus#interrupted}).
   */
  CompletionStage<RunResult> result();

  /**
   * Completes when the run ends, is suspended or interrupted (as {@link #result()}), or when
   * {@code atMost} has passed, whichever is first, with the run as it is then; nothing goes on
   * waiting afterwards (a long-poll's wait).
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

  /**
   * Decides a pending approval of a {@link RunStatus#suspended} run: approved, the tool call runs
   * (the decision is persisted first, so it is made once); denied, the model gets a failed tool
   * result naming the denial and {@code reason}. The same decision again is answered as the first
   * time. Completes with the run afterwards; fails with a {@link RunControlException}: {@code
   * NOT_FOUND} for an unknown approval, {@code CONFLICT} for a different second decision or a run
   * that waits for no approval.
   *
   * @param reason why (may be null); the model hears it with a denial
   */
  default CompletionStage<RunResult> approve(String approvalId, boolean approved, String reason) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("this handle cannot approve"));
  }

  /**
   * Gives the result ({@code error} null) or the error of a call of a client-executed tool ({@link
   * Tool#client}) the run waits for. Completes with the run afterwards; fails with a {@link
   * RunControlException}: {@code INVALID} for a result that does not fit the tool's output schema
   * (the run still waits), {@code NOT_FOUND} for a call the run does not wait for, {@code
   * CONFLICT} for a call answered before or a run that waits for nothing.
   */
  default CompletionStage<RunResult> submitToolResult(
      String toolCallId, com.fasterxml.jackson.databind.JsonNode result, String error) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("this handle cannot submit tool results"));
  }

  /**
   * Interrupts a running or suspended run: the model call in flight is cancelled (what it streamed
   * is kept), the tool calls without a result are cancelled and answered with an error, and the
   * run is {@link RunStatus#interrupted} until {@link #resume}. On an interrupted run it changes
   * nothing; on an ended run it fails with a {@link RunControlException} ({@code CONFLICT}).
   */
  default CompletionStage<RunResult> interrupt(String reason) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("this handle cannot interrupt"));
  }

  /**
   * Resumes an interrupted run from its state, on the same stream, with {@code message} (may be
   * null) as a further user message. Fails with a {@link RunControlException} ({@code CONFLICT})
   * unless the run is interrupted: an aborted, completed or failed run cannot be resumed.
   */
  default CompletionStage<RunResult> resume(String message) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("this handle cannot resume"));
  }
}
