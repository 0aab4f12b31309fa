package io.helix.agent;

/**
 * A control of a run ({@link AgentHandle#approve}, {@link AgentHandle#submitToolResult}, {@link
 * AgentHandle#interrupt}, {@link AgentHandle#resume}) that the run refused, changing nothing.
 */
public final class RunControlException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the control was refused. */
  public enum Reason {
    /** The run waits for no such approval or tool call (HTTP 404). */
    NOT_FOUND,
    /** The run is not in a status that allows it, or it was decided otherwise before (HTTP 409). */
    CONFLICT,
    /** The input is invalid, e.g. a result that does not fit the tool's output schema (HTTP 400). */
    INVALID
  }

  private final Reason reason;

  public RunControlException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
