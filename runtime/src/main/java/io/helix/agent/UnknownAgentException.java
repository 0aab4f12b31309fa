package io.helix.agent;

/** No agent of this type is registered. */
public final class UnknownAgentException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnknownAgentException(String agentType) {
    super("unknown agent type '" + agentType + "'");
  }
}
