package io.helix.agent;

/** A turn asked of a session with an agent type other than the session's. */
public final class SessionConflictException extends RuntimeException {

  public SessionConflictException(String sessionId, String sessionAgentType, String asked) {
    super(
        "session '"
            + sessionId
            + "' is a conversation with agent '"
            + sessionAgentType
            + "', not '"
            + asked
            + "'");
  }
}
