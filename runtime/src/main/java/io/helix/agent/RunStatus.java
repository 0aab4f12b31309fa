package io.helix.agent;

/**
 * A run's status, as helix-agents names it. An aborted run is {@code failed} with aborted set.
 *
 * <ul>
 *   <li>{@code running}: the run works (asks its model, runs its tools);
 *   <li>{@code suspended}: the run waits for someone: an approval of a tool call, or the result of
 *       a tool the client executes ({@link RunResult#pending()} says what); it holds no thread,
 *       connection or timer meanwhile;
 *   <li>{@code interrupted}: the run was interrupted and waits to be resumed;
 *   <li>{@code completed}, {@code failed}: the run has ended.
 * </ul>
 */
public enum RunStatus {
  running,
  completed,
  failed,
  suspended,
  interrupted;

  /** Whether the run has ended: completed or failed. */
  public boolean isTerminal() {
    return this == completed || this == failed;
  }

  /** Whether the run is not working right now: ended, suspended or interrupted. */
  public boolean isSettled() {
    return this != running;
  }
}
