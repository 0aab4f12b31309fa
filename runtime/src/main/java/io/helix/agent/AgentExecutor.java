package io.helix.agent;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Starts runs of registered agents and finds them again. */
public interface AgentExecutor {

  /**
   * Starts the run {@code request} asks for, or answers the existing run of its id when it was
   * started with the same agent, message, owner and session. Fails with {@link
   * UnknownAgentException}, {@link RunConflictException} (the id names a run with other input),
   * {@link SessionBusyException} (the session has an active turn), {@link
   * SessionConflictException} (the session belongs to another agent type) or {@link
   * IllegalArgumentException} (an invalid id).
   */
  CompletionStage<AgentHandle> execute(RunRequest request);

  /** Starts a run with a generated id. */
  default CompletionStage<AgentHandle> execute(String agentType, String message) {
    return execute(RunRequest.of(agentType, message));
  }

  /** Starts a run with the caller's id (idempotent, see {@link #execute(RunRequest)}). */
  default CompletionStage<AgentHandle> execute(String agentType, String message, String runId) {
    return execute(RunRequest.of(agentType, message).withRunId(runId));
  }

  /**
   * As {@link #execute(String, String, String)}, in the trace of the caller's span: {@code
   * traceParent} is a W3C {@code traceparent} (e.g. an HTTP request's), or null.
   */
  default CompletionStage<AgentHandle> execute(
      String agentType, String message, String runId, String traceParent) {
    return execute(
        RunRequest.of(agentType, message).withRunId(runId).withTraceParent(traceParent));
  }

  /** The run of this id, or empty when there is none. */
  CompletionStage<Optional<AgentHandle>> getHandle(String runId);

  /**
   * The session {@code sessionId} of {@code owner} (null: the shared principal's), or empty when
   * there is none. An executor without sessions answers empty.
   */
  default CompletionStage<Optional<SessionView>> getSession(String owner, String sessionId) {
    return java.util.concurrent.CompletableFuture.completedFuture(Optional.empty());
  }

  /**
   * Erases the session and everything of its runs (journal events and snapshots, read-model rows,
   * streams), aborting an active turn first; afterwards its runs are unknown. Completes with
   * whether there was such a session. An executor without sessions answers false.
   */
  default CompletionStage<Boolean> deleteSession(String owner, String sessionId) {
    return java.util.concurrent.CompletableFuture.completedFuture(false);
  }

  /**
   * The token budget of a run of {@code agent} on this executor: the agent's {@link
   * AgentDefinition#maxTokens()}, else the node's default ({@code helix.run.max-tokens}); 0 for no
   * limit.
   */
  default long tokenBudget(AgentDefinition agent) {
    return agent.maxTokens();
  }
}
