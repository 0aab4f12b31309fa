package io.helix.providers;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.json.Json;

/** OpenAI chat-completions streaming, as the API sends it: {@code data:} chunks, then [DONE]. */
final class OpenAiWire {

  private OpenAiWire() {}

  private static ObjectNode chunk() {
    ObjectNode chunk =
        Json.object()
            .put("id", "chatcmpl-test")
            .put("object", "chat.completion.chunk")
            .put("created", 1_700_000_000)
            .put("model", "gpt-4o-mini");
    return chunk;
  }

  private static String choice(ObjectNode delta, String finishReason) {
    ObjectNode chunk = chunk();
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    choice.set("delta", delta);
    if (finishReason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finishReason);
    }
    return data(chunk);
  }

  static String data(ObjectNode json) {
    return "data: " + Json.write(json) + "\n\n";
  }

  static String role() {
    ObjectNode delta = Json.object().put("role", "assistant").put("content", "");
    return choice(delta, null);
  }

  static String text(String text) {
    return choice(Json.object().put("content", text), null);
  }

  static String reasoning(String text) {
    return choice(Json.object().put("reasoning_content", text), null);
  }

  /** The first chunk of a tool call: its id and name, arguments still empty. */
  static String toolCallStart(int index, String id, String name) {
    ObjectNode delta = Json.object();
    ArrayNode calls = delta.putArray("tool_calls");
    ObjectNode call = calls.addObject().put("index", index).put("id", id).put("type", "function");
    call.putObject("function").put("name", name).put("arguments", "");
    return choice(delta, null);
  }

  /** A piece of a tool call's arguments. */
  static String toolCallArguments(int index, String fragment) {
    ObjectNode delta = Json.object();
    delta.putArray("tool_calls").addObject().put("index", index).putObject("function").put("arguments", fragment);
    return choice(delta, null);
  }

  static String finish(String reason) {
    return choice(Json.object(), reason);
  }

  /** The last chunk when stream_options.include_usage is set: no choices, the usage. */
  static String usage(int promptTokens, int completionTokens) {
    ObjectNode chunk = chunk();
    chunk.putArray("choices");
    chunk
        .putObject("usage")
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens);
    return data(chunk);
  }

  static String done() {
    return "data: [DONE]\n\n";
  }

  static String error(String type, String message) {
    ObjectNode body = Json.object();
    body.putObject("error").put("message", message).put("type", type).putNull("param").putNull("code");
    return Json.write(body);
  }
}
