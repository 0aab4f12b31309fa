package io.helix.agent;

/** The run id is taken by a run started with another agent type or message. */
public final class RunConflictException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RunConflictException(String runId) {
    super("run '" + runId + "' already exists with a different agent type or message");
  }
}
