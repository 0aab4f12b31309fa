package io.helix.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

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

  /**
   * The run's custom state as this call sees it: the state when the call started, with this
   * call's own updates. A copy; change it with {@link #updateState}.
   */
  ObjectNode getState();

  /**
   * Changes the run's custom state. The change is persisted with the call's result and streamed
   * as a {@code state_patch} chunk (RFC 6902). Calls running at once each patch the paths they
   * change; the last to finish wins where they change the same path.
   */
  void updateState(Consumer<ObjectNode> update);

  /** Streams a {@code custom} chunk with this event name and data. */
  void emit(String eventName, JsonNode data);
}
