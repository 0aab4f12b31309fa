package io.helix.agent;

/** A run's status, as helix-agents names it. An aborted run is {@code failed} with aborted set. */
public enum RunStatus {
  running,
  completed,
  failed;

  public boolean isTerminal() {
    return this != running;
  }
}
