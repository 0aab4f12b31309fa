package io.helix.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.model.AssistantMessage;
import io.helix.model.Message;
import io.helix.model.TokenUsage;
import io.helix.serialization.CborSerializable;
import java.util.List;

/** The journal of a run: one event per model response and per tool result. */
public sealed interface RunEvent extends CborSerializable {

  long timestamp();

  /**
   * The run was started. {@code traceParent} is the W3C {@code traceparent} of the run's span, so a
   * run resumed after a crash or on another node continues its trace; null when tracing was off
   * (and in events written before it existed).
   */
  record RunStarted(
      String runId,
      String agentType,
      String message,
      String streamId,
      String parentRunId,
      JsonNode initialState,
      long timestamp,
      String traceParent,
      String owner,
      String sessionId,
      List<Message> history,
      long maxTokens)
      implements RunEvent {

    /**
     * {@code owner} is the principal the run belongs to (null: the shared principal, and in events
     * written before owners existed); {@code sessionId} the session of which the run is a turn
     * (null: none), and {@code history} that session's conversation before the turn (never null:
     * empty in older events); {@code maxTokens} the token budget the start asked for (0: none, as
     * in older events).
     */
    public RunStarted {
      history = history == null ? List.of() : List.copyOf(history);
    }

    /** A start with no owner and no session (the form before they existed). */
    public RunStarted(
        String runId,
        String agentType,
        String message,
        String streamId,
        String parentRunId,
        JsonNode initialState,
        long timestamp,
        String traceParent) {
      this(
          runId, agentType, message, streamId, parentRunId, initialState, timestamp, traceParent,
          null, null, List.of(), 0);
    }

    public RunStarted(
        String runId,
        String agentType,
        String message,
        String streamId,
        String parentRunId,
        JsonNode initialState,
        long timestamp) {
      this(runId, agentType, message, streamId, parentRunId, initialState, timestamp, null);
    }
  }

  record ModelResponded(
      int step, AssistantMessage message, String finishReason, TokenUsage usage, long timestamp)
      implements RunEvent {}

  record ToolResultRecorded(
      int step,
      String toolCallId,
      String toolName,
      JsonNode result,
      boolean success,
      String error,
      long timestamp)
      implements RunEvent {}

  /** A sub-agent's run was started for a tool call. */
  record SubAgentStarted(
      int step, String toolCallId, String childRunId, String agentType, long timestamp)
      implements RunEvent {}

  /** A tool call changed the custom state; {@code patch} is RFC 6902. */
  record StateUpdated(int step, String toolCallId, JsonNode patch, long timestamp)
      implements RunEvent {}

  /**
   * The model answered without the structured output its agent requires; {@code reminder} goes
   * back to it as a user message.
   */
  record OutputRequested(int step, String reminder, long timestamp) implements RunEvent {}

  record RunCompleted(JsonNode output, long timestamp) implements RunEvent {}

  /**
   * The run failed. {@code interrupted} is what the model had streamed of the answer in flight when
   * the run's deadline cut it short (as with {@link RunAborted}); null otherwise.
   */
  record RunFailed(String error, AssistantMessage interrupted, long timestamp)
      implements RunEvent {}

  /**
   * The run was aborted. {@code interrupted} is what the model had streamed of the answer in flight
   * (text and thinking, no tool calls), kept as the run's last message; null when no answer was
   * under way (and in events written before it existed).
   */
  record RunAborted(String reason, AssistantMessage interrupted, long timestamp)
      implements RunEvent {}

  /**
   * A tool call of the model response of {@code step} waits for approval before it runs ({@link
   * io.helix.agent.Tool#requiresApproval}); persisted with that response.
   */
  record ApprovalRequested(
      int step,
      String toolCallId,
      String toolName,
      String approvalId,
      JsonNode input,
      long timestamp)
      implements RunEvent {}

  /**
   * An approval was decided (persisted before an approved call runs; a denial is followed by the
   * call's failed {@link ToolResultRecorded}). {@code reason} may be null.
   */
  record ApprovalDecided(
      int step,
      String toolCallId,
      String approvalId,
      boolean approved,
      String reason,
      long timestamp)
      implements RunEvent {}

  /**
   * A call of a client-executed tool waits for the client's result (a {@link ToolResultRecorded});
   * persisted with the model response of {@code step}.
   */
  record ClientToolRequested(
      int step, String toolCallId, String toolName, JsonNode input, long timestamp)
      implements RunEvent {}

  /**
   * The run was interrupted (after failed results of its calls without one). {@code interrupted}
   * is what the model had streamed of the answer in flight, kept as the run's last message; null
   * when none was under way.
   */
  record RunInterrupted(String reason, AssistantMessage interrupted, long timestamp)
      implements RunEvent {}

  /** An interrupted run goes on; {@code message} (null for none) is a further user message. */
  record RunResumed(String message, long timestamp) implements RunEvent {}
}
