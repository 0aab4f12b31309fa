package io.helix.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A run's outcome, or its progress while it runs ({@code GET /agent/result/{runId}}).
 *
 * @param status running, completed or failed
 * @param output the final answer (a text node, or the structured output) once completed, else null
 * @param error why it failed, when failed
 * @param aborted whether it was aborted
 * @param abortReason the reason given to the abort
 * @param steps how many model responses the run has
 * @param usage tokens summed over the run's model responses
 * @param state the run's custom state
 * @param parentRunId the parent of a sub-agent's run, else null
 * @param streamId the stream the run writes to: its own id, or its root run's for a sub-agent
 * @param json the answer as sent, with any field this client does not know
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
    JsonNode json) {

  /**
   * What a suspended run waits for: each an object with {@code kind} ({@code approval} or {@code
   * client_tool}), {@code runId}, {@code toolCallId}, {@code approvalId} (approvals),
   * {@code toolName} and {@code input}; empty when it waits for nothing.
   */
  public List<JsonNode> pending() {
    List<JsonNode> pending = new java.util.ArrayList<>();
    if (json != null && json.path("pending").isArray()) {
      json.get("pending").forEach(pending::add);
    }
    return List.copyOf(pending);
  }

  /** The output as text: a text output as it is, a structured one as JSON; null when none. */
  public String outputText() {
    if (output == null || output.isNull() || output.isMissingNode()) {
      return null;
    }
    return output.isTextual() ? output.textValue() : output.toString();
  }
}
