package io.helix.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.model.AssistantMessage;
import io.helix.model.TokenUsage;
import io.helix.serialization.CborSerializable;

/** The journal of a run: one event per model response and per tool result. */
public sealed interface RunEvent extends CborSerializable {

  long timestamp();

  record RunStarted(
      String runId,
      String agentType,
      String message,
      String streamId,
      String parentRunId,
      long timestamp)
      implements RunEvent {}

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

  record RunCompleted(JsonNode output, long timestamp) implements RunEvent {}

  record RunFailed(String error, long timestamp) implements RunEvent {}

  record RunAborted(String reason, long timestamp) implements RunEvent {}
}
