package io.helix.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.json.Json;

/**
 * A fix to Gemini requests as LangChain4j 1.19 writes them: it sends the results of parallel
 * function calls as one {@code user} content each, and Gemini rejects that ("the number of function
 * response parts [must equal] the number of function call parts"). They are merged into one
 * content here, on the way out.
 */
final class GeminiRequests {

  private GeminiRequests() {}

  static String mergeFunctionResponses(String body) {
    if (body == null || !body.contains("functionResponse")) {
      return body;
    }
    JsonNode request;
    try {
      request = Json.parse(body);
    } catch (IllegalArgumentException notJson) {
      return body;
    }
    if (!(request.get("contents") instanceof ArrayNode contents)) {
      return body;
    }
    ArrayNode merged = Json.mapper().createArrayNode();
    boolean changed = false;
    for (JsonNode content : contents) {
      JsonNode previous = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (previous != null && onlyFunctionResponses(previous) && onlyFunctionResponses(content)) {
        ((ArrayNode) previous.get("parts")).addAll((ArrayNode) content.get("parts"));
        changed = true;
      } else {
        merged.add(content.deepCopy());
      }
    }
    if (!changed) {
      return body;
    }
    ((ObjectNode) request).set("contents", merged);
    return Json.write(request);
  }

  private static boolean onlyFunctionResponses(JsonNode content) {
    JsonNode parts = content.get("parts");
    if (!"user".equals(content.path("role").asText()) || parts == null || !parts.isArray() || parts.isEmpty()) {
      return false;
    }
    for (JsonNode part : parts) {
      if (!part.has("functionResponse")) {
        return false;
      }
    }
    return true;
  }
}
