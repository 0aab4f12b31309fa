package io.helix.agent;

/** A session already has an active turn (running, suspended or interrupted): one at a time. */
public final class SessionBusyException extends RuntimeException {

  private final String sessionId;
  private final String activeRunId;

  public SessionBusyException(String sessionId, String activeRunId) {
    super("session '" + sessionId + "' has an active run '" + activeRunId + "'");
    this.sessionId = sessionId;
    this.activeRunId = activeRunId;
  }

  public String sessionId() {
    return sessionId;
  }

  /** The run of the active turn. */
  public String activeRunId() {
    return activeRunId;
  }
}
