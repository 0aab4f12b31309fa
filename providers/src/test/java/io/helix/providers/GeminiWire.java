package io.helix.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.json.Json;

/** Gemini streamGenerateContent with alt=sse: each {@code data:} is a GenerateContentResponse. */
final class GeminiWire {

  private GeminiWire() {}

  private static ObjectNode response(ArrayNode parts, String finishReason) {
    ObjectNode response = Json.object();
    ObjectNode candidate = response.putArray("candidates").addObject();
    ObjectNode content = candidate.putObject("content");
    content.set("parts", parts);
    content.put("role", "model");
    candidate.put("index", 0);
    if (finishReason != null) {
      candidate.put("finishReason", finishReason);
    }
    response.put("modelVersion", "gemini-test");
    return response;
  }

  private static String data(ObjectNode json) {
    return "data: " + Json.write(json) + "\r\n\r\n";
  }

  static String text(String text) {
    ArrayNode parts = Json.mapper().createArrayNode();
    parts.addObject().put("text", text);
    return data(response(parts, null));
  }

  static String functionCalls(JsonNode... calls) {
    ArrayNode parts = Json.mapper().createArrayNode();
    for (JsonNode call : calls) {
      parts.addObject().set("functionCall", call);
    }
    return data(response(parts, null));
  }

  /** Function calls as Gemini 3 sends them: the first part carries the thought signature. */
  static String signedFunctionCalls(String thoughtSignature, JsonNode... calls) {
    ArrayNode parts = Json.mapper().createArrayNode();
    for (JsonNode call : calls) {
      ObjectNode part = parts.addObject();
      part.set("functionCall", call);
      if (parts.size() == 1) {
        part.put("thoughtSignature", thoughtSignature);
      }
    }
    return data(response(parts, null));
  }

  static JsonNode call(String name, JsonNode args) {
    ObjectNode call = Json.object().put("name", name);
    call.set("args", args);
    return call;
  }

  /** The last chunk: finish reason and usage. */
  static String finish(String reason, int promptTokens, int candidatesTokens) {
    ArrayNode parts = Json.mapper().createArrayNode();
    parts.addObject().put("text", "");
    ObjectNode response = response(parts, reason);
    response
        .putObject("usageMetadata")
        .put("promptTokenCount", promptTokens)
        .put("candidatesTokenCount", candidatesTokens)
        .put("totalTokenCount", promptTokens + candidatesTokens);
    return data(response);
  }

  static String error(int code, String status, String message) {
    ObjectNode body = Json.object();
    body.putObject("error").put("code", code).put("message", message).put("status", status);
    return Json.write(body);
  }
}
