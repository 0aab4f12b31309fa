package io.helix.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.Tool;
import io.helix.json.Json;
import io.helix.json.JsonValidator;
import io.helix.model.ToolCall;
import io.helix.run.RunDecisions.ToolOutcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a step's tool calls, all at once, each on its own {@link ToolCallContext}: validates the
 * arguments against the tool's schema, bounds the call with the tool timeout, and sends the
 * outcome back to the entity as {@link InternalCommand.ToolFinished}. Calls of sub-agent tools go
 * to {@link SubAgents}. What runs is work in flight, not state: after a crash the journal says
 * which calls have no result yet, and they run again.
 */
final class ToolRunner {

  private final RunActor actor;
  private final SubAgents subAgents;
  private final Map<String, ToolCallContext> running = new HashMap<>();
  // the calls in running that wait for a sub-agent's run rather than execute a tool here
  private final java.util.Set<String> subAgentCalls = new java.util.HashSet<>();

  ToolRunner(RunActor actor, SubAgents subAgents) {
    this.actor = actor;
    this.subAgents = subAgents;
  }

  /** Starts the calls of the state's step that are not running yet. */
  void run(RunState state, Optional<AgentDefinition> agent, List<ToolCall> calls) {
    for (ToolCall call : calls) {
      if (running.containsKey(call.id())) {
        continue;
      }
      ToolCallContext toolContext =
          new ToolCallContext(
              actor.runId(),
              state.agentType(),
              state.step(),
              call.id(),
              actor.env().blockingToolExecutor(),
              actor.self(),
              state.customState());
      running.put(call.id(), toolContext);
      actor.env().observer().toolCallStarted(actor.runId(), call.id(), call.name());
      Optional<AgentDefinition> subAgent = agent.flatMap(a -> a.subAgent(call.name()));
      if (subAgent.isPresent()) {
        subAgentCalls.add(call.id());
        subAgents.start(state, call, subAgent.get());
      } else {
        execute(state.step(), call, agent.flatMap(a -> a.tool(call.name())), toolContext);
      }
    }
  }

  /**
   * A call ended: no longer running; observed when it ran here and is still pending ({@code
   * call}). Its context, if it ran, has the state it began with.
   */
  Optional<ToolCallContext> finished(
      String toolCallId, String agentType, Optional<ToolCall> call, ToolOutcome outcome) {
    subAgentCalls.remove(toolCallId);
    Optional<ToolCallContext> ran = Optional.ofNullable(running.remove(toolCallId));
    if (ran.isPresent() && call.isPresent()) {
      actor.env().observer().toolCallEnded(
          actor.runId(),
          agentType,
          call.get().name(),
          toolCallId,
          outcome.error() == null,
          System.currentTimeMillis() - ran.get().startedAt());
    }
    return ran;
  }

  /** Whether a tool (not a sub-agent's run, which lives on by itself) is executing here. */
  boolean executing() {
    return running.keySet().stream().anyMatch(id -> !subAgentCalls.contains(id));
  }

  /** Whether nothing runs: no tool executes here and no sub-agent's run is awaited. */
  boolean idle() {
    return running.isEmpty();
  }

  /** Cancels every call running (their tools see it on {@link ToolCallContext#cancellation}). */
  void cancelAll(String reason) {
    running.values().forEach(tool -> tool.cancel(reason));
    running.clear();
    subAgentCalls.clear();
  }

  private void execute(int step, ToolCall call, Optional<Tool> tool, ToolCallContext toolContext) {
    long timeout = actor.settings().toolTimeout().toMillis();
    CompletableFuture<Object> outcome =
        invoke(tool, call, toolContext).orTimeout(timeout, TimeUnit.MILLISECONDS);
    actor.context().pipeToSelf(
        outcome,
        (result, error) ->
            new InternalCommand.ToolFinished(
                step, call.id(), outcome(result, error, toolContext, timeout)));
  }

  /**
   * How a call ended, from its future's result or failure: a result that is no JSON fails it, and
   * a failure cancels the call's context (a timeout with the timeout's words).
   */
  static ToolOutcome outcome(
      Object result, Throwable error, ToolCallContext toolContext, long timeout) {
    JsonNode stateAfter = toolContext.stateAfter();
    if (error == null) {
      try {
        JsonNode json = result == null ? NullNode.getInstance() : Json.toTree(result);
        return ToolOutcome.success(json, stateAfter);
      } catch (RuntimeException e) {
        return ToolOutcome.failure("tool result is not JSON: " + e.getMessage(), stateAfter);
      }
    }
    Throwable cause = Failures.unwrap(error);
    String message =
        cause instanceof TimeoutException
            ? "tool timed out after " + timeout + " ms"
            : Failures.describe(cause);
    toolContext.cancel(message);
    return ToolOutcome.failure(message, stateAfter);
  }

  /** The tool's execution; a failed future for an unknown tool or arguments that do not fit. */
  static CompletableFuture<Object> invoke(
      Optional<Tool> tool, ToolCall call, ToolCallContext toolContext) {
    if (tool.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("unknown tool '" + call.name() + "'"));
    }
    List<String> problems = JsonValidator.of(tool.get().inputSchema()).problems(call.arguments());
    if (!problems.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("invalid arguments for '" + call.name() + "': " + problems));
    }
    try {
      return tool.get()
          .execute(call.arguments(), toolContext)
          .toCompletableFuture()
          .thenApply(result -> (Object) result);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
