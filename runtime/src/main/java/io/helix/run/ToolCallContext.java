package io.helix.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.agent.ToolContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The {@link ToolContext} of one tool call. It keeps its own copy of the custom state, which the
 * run diffs against the state the call started from when the call ends.
 */
final class ToolCallContext implements ToolContext {

  private final String runId;
  private final String agentType;
  private final int step;
  private final String toolCallId;
  private final CompletableFuture<String> cancelled = new CompletableFuture<>();
  private final Executor blockingExecutor;
  private final ActorRef<RunCommand> run;
  private final ObjectNode stateAtStart;
  private final ObjectNode state;
  private final long startedAt = System.currentTimeMillis();

  ToolCallContext(
      String runId,
      String agentType,
      int step,
      String toolCallId,
      Executor blockingExecutor,
      ActorRef<RunCommand> run,
      JsonNode stateAtStart) {
    this.runId = runId;
    this.agentType = agentType;
    this.step = step;
    this.toolCallId = toolCallId;
    this.blockingExecutor = blockingExecutor;
    this.run = run;
    this.stateAtStart =
        stateAtStart instanceof ObjectNode object
            ? object.deepCopy()
            : JsonNodeFactory.instance.objectNode();
    this.state = this.stateAtStart.deepCopy();
  }

  @Override
  public String runId() {
    return runId;
  }

  @Override
  public String agentType() {
    return agentType;
  }

  @Override
  public int step() {
    return step;
  }

  @Override
  public String toolCallId() {
    return toolCallId;
  }

  @Override
  public CompletionStage<String> cancellation() {
    return cancelled.minimalCompletionStage();
  }

  @Override
  public Executor blockingExecutor() {
    return blockingExecutor;
  }

  @Override
  public synchronized ObjectNode getState() {
    return state.deepCopy();
  }

  @Override
  public synchronized void updateState(Consumer<ObjectNode> update) {
    update.accept(state);
  }

  @Override
  public void emit(String eventName, JsonNode data) {
    run.tell(new InternalCommand.ToolEmitted(step, toolCallId, eventName, data));
  }

  /** When the call started, epoch milliseconds. */
  long startedAt() {
    return startedAt;
  }

  JsonNode stateAtStart() {
    return stateAtStart;
  }

  synchronized JsonNode stateAfter() {
    return state.deepCopy();
  }

  void cancel(String reason) {
    cancelled.complete(reason);
  }
}
