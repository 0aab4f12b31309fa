package io.helix.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reads chunks from their JSON. */
final class Chunks {

  private Chunks() {}

  static Chunk parse(ObjectNode json) {
    Chunk.Header h =
        new Chunk.Header(
            json.path("seq").asLong(-1),
            text(json, "type"),
            text(json, "runId"),
            text(json, "agentType"),
            json.path("step").asInt(),
            json.path("timestamp").asLong());
    String type = h.type() == null ? "" : h.type();
    return switch (type) {
      case "run_start" -> new Chunk.RunStart(h, text(json, "message"), json);
      case "text_delta" -> new Chunk.TextDelta(h, text(json, "delta"), json);
      case "thinking" ->
          new Chunk.Thinking(h, text(json, "content"), json.path("isComplete").asBoolean(), json);
      case "tool_arg_stream_start" ->
          new Chunk.ToolArgStreamStart(h, text(json, "toolCallId"), text(json, "toolName"), json);
      case "tool_arg_stream_delta" ->
          new Chunk.ToolArgStreamDelta(h, text(json, "toolCallId"), text(json, "delta"), json);
      case "tool_start" ->
          new Chunk.ToolStart(
              h, text(json, "toolCallId"), text(json, "toolName"), node(json, "arguments"), json);
      case "tool_end" ->
          new Chunk.ToolEnd(
              h,
              text(json, "toolCallId"),
              text(json, "toolName"),
              json.path("success").asBoolean(),
              node(json, "result"),
              text(json, "error"),
              json);
      case "state_patch" ->
          new Chunk.StatePatch(h, text(json, "toolCallId"), node(json, "patch"), json);
      case "subagent_start" ->
          new Chunk.SubagentStart(
              h,
              text(json, "toolCallId"),
              text(json, "subAgentType"),
              text(json, "subAgentId"),
              text(json, "message"),
              json);
      case "subagent_end" ->
          new Chunk.SubagentEnd(
              h,
              text(json, "toolCallId"),
              text(json, "subAgentType"),
              text(json, "subAgentId"),
              RunStatus.of(text(json, "status")),
              node(json, "output"),
              text(json, "error"),
              json);
      case "custom" ->
          new Chunk.Custom(
              h, text(json, "toolCallId"), text(json, "eventName"), node(json, "data"), json);
      case "output" -> new Chunk.Output(h, node(json, "output"), json);
      case "error" ->
          new Chunk.RunError(
              h,
              text(json, "error"),
              json.path("aborted").asBoolean(),
              json.path("recoverable").asBoolean(),
              json);
      case "stream_resync" -> new Chunk.StreamResync(h, text(json, "reason"), json);
      case "run_end" -> new Chunk.RunEnd(h, RunStatus.of(text(json, "status")), json);
      default -> new Chunk.Unknown(h, json);
    };
  }

  /** A field's text; null when it is absent or null (a non-text value as its JSON). */
  static String text(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    return value.isTextual() ? value.textValue() : value.toString();
  }

  /** A field's value; null when it is absent or null. */
  static JsonNode node(JsonNode json, String field) {
    JsonNode value = json.get(field);
    return value == null || value.isNull() ? null : value;
  }
}
