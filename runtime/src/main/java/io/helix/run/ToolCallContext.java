package io.helix.run;

import io.helix.agent.ToolContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** The {@link ToolContext} of one tool call; {@link #cancel} signals the tool. */
record ToolCallContext(
    String runId,
    String agentType,
    int step,
    String toolCallId,
    CompletableFuture<String> cancelled,
    Executor blockingExecutor)
    implements ToolContext {

  @Override
  public CompletionStage<String> cancellation() {
    return cancelled.minimalCompletionStage();
  }

  void cancel(String reason) {
    cancelled.complete(reason);
  }
}
