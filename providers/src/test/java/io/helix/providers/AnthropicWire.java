package io.helix.providers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.json.Json;

/** Anthropic Messages streaming, as the API sends it: named events with JSON data. */
final class AnthropicWire {

  private AnthropicWire() {}

  static String event(String name, ObjectNode data) {
    return "event: " + name + "\ndata: " + Json.write(data) + "\n\n";
  }

  static String messageStart(int inputTokens) {
    ObjectNode data = Json.object().put("type", "message_start");
    ObjectNode message =
        data.putObject("message")
            .put("id", "msg_test")
            .put("type", "message")
            .put("role", "assistant")
            .put("model", "claude-test");
    message.putArray("content");
    message.putNull("stop_reason");
    message.putNull("stop_sequence");
    message.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", 1);
    return event("message_start", data);
  }

  static String ping() {
    return event("ping", Json.object().put("type", "ping"));
  }

  static String textBlockStart(int index) {
    ObjectNode data = Json.object().put("type", "content_block_start").put("index", index);
    data.putObject("content_block").put("type", "text").put("text", "");
    return event("content_block_start", data);
  }

  static String textDelta(int index, String text) {
    ObjectNode data = Json.object().put("type", "content_block_delta").put("index", index);
    data.putObject("delta").put("type", "text_delta").put("text", text);
    return event("content_block_delta", data);
  }

  static String toolUseStart(int index, String id, String name) {
    ObjectNode data = Json.object().put("type", "content_block_start").put("index", index);
    ObjectNode block = data.putObject("content_block").put("type", "tool_use").put("id", id).put("name", name);
    block.putObject("input");
    return event("content_block_start", data);
  }

  static String inputJsonDelta(int index, String partialJson) {
    ObjectNode data = Json.object().put("type", "content_block_delta").put("index", index);
    data.putObject("delta").put("type", "input_json_delta").put("partial_json", partialJson);
    return event("content_block_delta", data);
  }

  static String blockStop(int index) {
    return event("content_block_stop", Json.object().put("type", "content_block_stop").put("index", index));
  }

  static String messageDelta(String stopReason, int outputTokens) {
    ObjectNode data = Json.object().put("type", "message_delta");
    data.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
    data.putObject("usage").put("output_tokens", outputTokens);
    return event("message_delta", data);
  }

  static String messageStop() {
    return event("message_stop", Json.object().put("type", "message_stop"));
  }

  static String error(String type, String message) {
    return Json.write(errorBody(type, message));
  }

  /** The same error as an event inside a stream that has begun. */
  static String errorEvent(String type, String message) {
    return event("error", errorBody(type, message));
  }

  private static ObjectNode errorBody(String type, String message) {
    ObjectNode body = Json.object().put("type", "error");
    body.putObject("error").put("type", type).put("message", message);
    return body;
  }
}
