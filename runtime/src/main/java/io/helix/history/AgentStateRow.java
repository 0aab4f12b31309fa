package io.helix.history;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.PendingRequest;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.model.TokenUsage;
import java.util.List;

/**
 * A run's row of {@code agent_state}, as the read model has projected it so far.
 *
 * @param stepCount how many model responses the run has
 * @param customState the run's custom state (JSON), or null
 * @param output the final answer (JSON: a string for a text answer) when completed
 * @param error why the run failed, when failed ({@code "aborted: <reason>"} when aborted)
 * @param parentAgentId the parent's run id for a sub-agent's run, else null
 * @param usage tokens summed over the run's model responses
 * @param createdAt when the run started, epoch milliseconds
 * @param updatedAt the time of the run's last projected event, epoch milliseconds
 * @param pending what a suspended run waits for (empty otherwise)
 * @param owner the principal the run belongs to; null for the shared principal
 * @param sessionId the session of which the run is a turn; null for none
 */
public record AgentStateRow(
    String runId,
    String agentType,
    String streamId,
    RunStatus status,
    int stepCount,
    JsonNode customState,
    JsonNode output,
    String error,
    String parentAgentId,
    boolean aborted,
    String abortReason,
    TokenUsage usage,
    long createdAt,
    long updatedAt,
    @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
        List<PendingRequest> pending,
    @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        String owner,
    @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        String sessionId) {

  public AgentStateRow {
    pending = pending == null ? List.of() : List.copyOf(pending);
  }

  /** A row with no owner and no session (the form before they existed). */
  public AgentStateRow(
      String runId,
      String agentType,
      String streamId,
      RunStatus status,
      int stepCount,
      JsonNode customState,
      JsonNode output,
      String error,
      String parentAgentId,
      boolean aborted,
      String abortReason,
      TokenUsage usage,
      long createdAt,
      long updatedAt,
      List<PendingRequest> pending) {
    this(
        runId, agentType, streamId, status, stepCount, customState, output, error, parentAgentId,
        aborted, abortReason, usage, createdAt, updatedAt, pending, null, null);
  }

  /** A row without pending requests (the form before they existed). */
  public AgentStateRow(
      String runId,
      String agentType,
      String streamId,
      RunStatus status,
      int stepCount,
      JsonNode customState,
      JsonNode output,
      String error,
      String parentAgentId,
      boolean aborted,
      String abortReason,
      TokenUsage usage,
      long createdAt,
      long updatedAt) {
    this(
        runId, agentType, streamId, status, stepCount, customState, output, error, parentAgentId,
        aborted, abortReason, usage, createdAt, updatedAt, List.of());
  }

  /** The row in the shape {@code AgentHandle.result()} answers. */
  public RunResult toResult() {
    return new RunResult(
        runId, agentType, status, output, error, aborted, abortReason, stepCount, usage,
        customState, parentAgentId, streamId, pending, owner, sessionId);
  }
}
