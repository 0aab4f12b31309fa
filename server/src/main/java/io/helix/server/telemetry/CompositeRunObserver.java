package io.helix.server.telemetry;

import io.helix.agent.RunStatus;
import io.helix.model.TokenUsage;
import io.helix.run.RunObserver;
import java.util.List;

/** Several observers as one: each is told everything, in order; the first trace parent wins. */
final class CompositeRunObserver implements RunObserver {

  private final List<RunObserver> observers;

  CompositeRunObserver(List<RunObserver> observers) {
    this.observers = List.copyOf(observers);
  }

  @Override
  public String runStarting(String runId, String agentType, String parentRunId, String caller) {
    String traceParent = null;
    for (RunObserver observer : observers) {
      String answer = observer.runStarting(runId, agentType, parentRunId, caller);
      traceParent = traceParent == null ? answer : traceParent;
    }
    return traceParent;
  }

  @Override
  public void runStarted(String runId, String agentType) {
    observers.forEach(o -> o.runStarted(runId, agentType));
  }

  @Override
  public void runResumed(String runId, String agentType, String traceParent) {
    observers.forEach(o -> o.runResumed(runId, agentType, traceParent));
  }

  @Override
  public void runStopped(String runId) {
    observers.forEach(o -> o.runStopped(runId));
  }

  @Override
  public void runEnded(
      String runId, String agentType, RunStatus status, String error, long durationMillis) {
    observers.forEach(o -> o.runEnded(runId, agentType, status, error, durationMillis));
  }

  @Override
  public void runGivenUp(String runId, String error) {
    observers.forEach(o -> o.runGivenUp(runId, error));
  }

  @Override
  public void modelCallStarted(String runId, int step, int attempt, String model) {
    observers.forEach(o -> o.modelCallStarted(runId, step, attempt, model));
  }

  @Override
  public void modelCallEnded(
      String runId,
      String agentType,
      String model,
      long durationMillis,
      TokenUsage usage,
      String finishReason,
      String error,
      boolean retrying) {
    observers.forEach(
        o ->
            o.modelCallEnded(
                runId, agentType, model, durationMillis, usage, finishReason, error, retrying));
  }

  @Override
  public void toolCallStarted(String runId, String toolCallId, String tool) {
    observers.forEach(o -> o.toolCallStarted(runId, toolCallId, tool));
  }

  @Override
  public void toolCallEnded(
      String runId,
      String agentType,
      String tool,
      String toolCallId,
      boolean success,
      long durationMillis) {
    observers.forEach(
        o -> o.toolCallEnded(runId, agentType, tool, toolCallId, success, durationMillis));
  }
}
