package io.helix.agent;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Starts runs of registered agents and finds them again. */
public interface AgentExecutor {

  /** Starts a run with a generated id. Fails with {@link UnknownAgentException}. */
  default CompletionStage<AgentHandle> execute(String agentType, String message) {
    return execute(agentType, message, null);
  }

  /**
   * Starts a run with the caller's id, or answers the existing run of that id when it was started
   * with the same agent and message. Fails with {@link UnknownAgentException}, {@link
   * RunConflictException} (the id names a run with other input) or {@link
   * IllegalArgumentException} (an invalid id).
   */
  CompletionStage<AgentHandle> execute(String agentType, String message, String runId);

  /**
   * As {@link #execute(String, String, String)}, in the trace of the caller's span: {@code
   * traceParent} is a W3C {@code traceparent} (e.g. an HTTP request's), or null. An executor that
   * does not trace ignores it.
   */
  default CompletionStage<AgentHandle> execute(
      String agentType, String message, String runId, String traceParent) {
    return execute(agentType, message, runId);
  }

  /** The run of this id, or empty when there is none. */
  CompletionStage<Optional<AgentHandle>> getHandle(String runId);

  /**
   * The token budget of a run of {@code agent} on this executor: the agent's {@link
   * AgentDefinition#maxTokens()}, else the node's default ({@code helix.run.max-tokens}); 0 for no
   * limit.
   */
  default long tokenBudget(AgentDefinition agent) {
    return agent.maxTokens();
  }
}
