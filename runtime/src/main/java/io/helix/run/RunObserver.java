package io.helix.run;

import io.helix.agent.RunStatus;
import io.helix.model.TokenUsage;

/**
 * What happens in runs, as it happens on this node: the hook telemetry (metrics, traces) is built
 * on. Called on the run's actor thread, so an implementation must be quick, thread-safe across runs
 * and never block; every method does nothing by default. A run that moves to another node is
 * observed there from then on ({@link #runResumed}); what a run re-derives after a restart is not
 * observed again.
 */
public interface RunObserver {

  /** Observes nothing. */
  RunObserver NONE = new RunObserver() {};

  /**
   * A run is being started (its start is about to be persisted). Answers the W3C {@code
   * traceparent} of the run's span, persisted with the run so that it is continued after a restart
   * or on another node; null when runs are not traced.
   *
   * @param callerTraceParent the {@code traceparent} the start came with (an HTTP request's, or a
   *     parent run's), or null
   */
  default String runStarting(
      String runId, String agentType, String parentRunId, String callerTraceParent) {
    return null;
  }

  /** A run's start was persisted: it runs. */
  default void runStarted(String runId, String agentType) {}

  /** A running run was recovered here (after a crash, a move, a passivation). */
  default void runResumed(String runId, String agentType, String traceParent) {}

  /** A running run stops here without ending (it moves, or the node stops). */
  default void runStopped(String runId) {}

  /** A run ended here, with its status, its error if it failed, and how long it took. */
  default void runEnded(
      String runId, String agentType, RunStatus status, String error, long durationMillis) {}

  /**
   * A run was given up: its recovery failed {@code helix.run.max-recovery-failures} times in a row
   * because its journal cannot be read. It answers as failed with {@code error} from then on; it may
   * be told again whenever a question wakes the run.
   */
  default void runGivenUp(String runId, String error) {}

  /** Attempt {@code attempt} of the model call of {@code step} starts. */
  default void modelCallStarted(String runId, int step, int attempt, String model) {}

  /**
   * The model call under way ended: answered ({@code error} null, with its usage and finish
   * reason) or failed ({@code error} its message; {@code retrying} whether another attempt
   * follows).
   */
  default void modelCallEnded(
      String runId,
      String agentType,
      String model,
      long durationMillis,
      TokenUsage usage,
      String finishReason,
      String error,
      boolean retrying) {}

  /** A tool call starts executing here (a sub-agent's run is a tool call too). */
  default void toolCallStarted(String runId, String toolCallId, String tool) {}

  /** A tool call ended. */
  default void toolCallEnded(
      String runId,
      String agentType,
      String tool,
      String toolCallId,
      boolean success,
      long durationMillis) {}
}
