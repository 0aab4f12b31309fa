package io.helix.agent;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** What a tool call knows about where it runs. */
public interface ToolContext {

  /** The run's id (helix-agents calls it {@code agentId}). */
  String runId();

  String agentType();

  /** The step whose model response asked for this call, from 1. */
  int step();

  String toolCallId();

  /**
   * {@code runId/step/toolCallId}: the same on every execution of this call, also after a crash,
   * so a side-effecting tool can de-duplicate.
   */
  default String idempotencyKey() {
    return runId() + "/" + step() + "/" + toolCallId();
  }

  /** Completes with the reason when the run is aborted or the call times out. */
  CompletionStage<String> cancellation();

  default boolean isCancelled() {
    return cancellation().toCompletableFuture().isDone();
  }

  /** The dispatcher for blocking tool code; never the actors'. */
  Executor blockingExecutor();
}
