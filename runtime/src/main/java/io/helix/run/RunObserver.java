package io.helix.run;

import io.helix.agent.RunStatus;
import io.helix.model.TokenUsage;

/**
 * What happens in runs, as it happens on this node: the hook telemetry (metrics, traces) is built
 * on. Called on the run's actor thread, so an implementation must be quick and never block; every
 * method does nothing by default. A run that moves to another node is observed there from then on;
 * events a run re-derives after a restart are not observed again.
 */
public interface RunObserver {

  /** Observes nothing. */
  RunObserver NONE = new RunObserver() {};

  /** A run was started (not resumed). */
  default void runStarted(String agentType) {}

  /** A run ended here, with its status and how long it took since it was started. */
  default void runEnded(String agentType, RunStatus status, long durationMillis) {}

  /**
   * A model call ended: answered ({@code error} null, with its usage) or failed ({@code error}
   * its message; {@code retrying} whether another attempt follows).
   */
  default void modelCallEnded(
      String agentType,
      String model,
      long durationMillis,
      TokenUsage usage,
      String error,
      boolean retrying) {}

  /** A tool call ended (a sub-agent's run is a tool call too). */
  default void toolCallEnded(String agentType, String tool, boolean success, long durationMillis) {}
}
