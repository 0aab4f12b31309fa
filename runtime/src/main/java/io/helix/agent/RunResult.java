package io.helix.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.model.TokenUsage;
import io.helix.serialization.CborSerializable;
import java.util.List;

/**
 * A run's outcome, or its progress while it runs.
 *
 * @param output the final answer (text, or the structured output) when completed
 * @param error why it failed, when failed
 * @param steps how many model responses the run has
 * @param usage tokens summed over the run's model responses
 * @param state the run's custom state
 * @param parentRunId the parent of a sub-agent's run, else null
 * @param streamId the stream the run writes to: its own id, or its root run's for a sub-agent
 * @param pending what a suspended run waits for (empty otherwise; left out of its JSON when empty,
 *     so the JSON of a result is as before for every run that waits for nothing)
 * @param owner the principal the run belongs to; null for the shared principal (left out of its
 *     JSON when null)
 * @param sessionId the session of which the run is a turn; null for none (left out when null)
 */
public record RunResult(
    String runId,
    String agentType,
    RunStatus status,
    JsonNode output,
    String error,
    boolean aborted,
    String abortReason,
    int steps,
    TokenUsage usage,
    JsonNode state,
    String parentRunId,
    String streamId,
    @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
        List<PendingRequest> pending,
    @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        String owner,
    @com.fasterxml.jackson.annotation.JsonInclude(
            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        String sessionId)
    implements CborSerializable {

  /** {@code pending} is never null (a result sent by a node before it existed has none). */
  public RunResult {
    pending = pending == null ? List.of() : List.copyOf(pending);
  }

  /** A result with no owner and no session (the form before they existed). */
  public RunResult(
      String runId,
      String agentType,
      RunStatus status,
      JsonNode output,
      String error,
      boolean aborted,
      String abortReason,
      int steps,
      TokenUsage usage,
      JsonNode state,
      String parentRunId,
      String streamId,
      List<PendingRequest> pending) {
    this(
        runId, agentType, status, output, error, aborted, abortReason, steps, usage, state,
        parentRunId, streamId, pending, null, null);
  }

  /** A result without pending requests (the form before {@link #pending} existed). */
  public RunResult(
      String runId,
      String agentType,
      RunStatus status,
      JsonNode output,
      String error,
      boolean aborted,
      String abortReason,
      int steps,
      TokenUsage usage,
      JsonNode state,
      String parentRunId,
      String streamId) {
    this(
        runId, agentType, status, output, error, aborted, abortReason, steps, usage, state,
        parentRunId, streamId, List.of());
  }
}
