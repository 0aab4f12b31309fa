package io.helix.agent;

import java.util.Objects;

/**
 * What {@link AgentExecutor#execute(RunRequest)} starts: a run of {@code agentType} on {@code
 * message}, and optionally
 *
 * <ul>
 *   <li>{@code runId}: the caller's id for the run, which makes the start idempotent (null: a
 *       generated id). With an {@code owner}, the id is the owner's key: the run's id is derived
 *       from owner and key, so two owners' keys never name the same run ({@link
 *       AgentHandle#runId()} is the id to use afterwards).
 *   <li>{@code sessionId}: the session the run is a turn of: the model sees the session's
 *       conversation so far, and the run starts from the session's custom state. One turn at a
 *       time: a start while a turn is active fails with {@link SessionBusyException}.
 *   <li>{@code owner}: the principal the run (and a new session) belongs to; null for the shared
 *       principal. Sessions too are the owner's: two owners' equal session ids are two sessions.
 *   <li>{@code traceParent}: a W3C {@code traceparent} whose trace the run joins.
 *   <li>{@code maxTokens}: a token budget for the run (0: none), which may lower its agent's
 *       ({@link AgentDefinition#maxTokens()}), never raise it; crossing it fails the run.
 * </ul>
 */
public record RunRequest(
    String agentType,
    String message,
    String runId,
    String sessionId,
    String owner,
    String traceParent,
    long maxTokens) {

  public RunRequest {
    Objects.requireNonNull(agentType, "agentType");
  }

  /** A run of {@code agentType} on {@code message}, with nothing else set. */
  public static RunRequest of(String agentType, String message) {
    return new RunRequest(agentType, message, null, null, null, null, 0);
  }

  public RunRequest withRunId(String value) {
    return new RunRequest(agentType, message, value, sessionId, owner, traceParent, maxTokens);
  }

  public RunRequest withSessionId(String value) {
    return new RunRequest(agentType, message, runId, value, owner, traceParent, maxTokens);
  }

  public RunRequest withOwner(String value) {
    return new RunRequest(agentType, message, runId, sessionId, value, traceParent, maxTokens);
  }

  public RunRequest withTraceParent(String value) {
    return new RunRequest(agentType, message, runId, sessionId, owner, value, maxTokens);
  }

  public RunRequest withMaxTokens(long value) {
    return new RunRequest(agentType, message, runId, sessionId, owner, traceParent, value);
  }
}
