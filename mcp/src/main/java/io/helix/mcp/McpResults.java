package io.helix.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.helix.json.Json;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** MCP's tool types as the project's JSON: input schemas in, call results out. */
final class McpResults {

  private static final TypeReference<List<McpSchema.Content>> CONTENT_LIST = new TypeReference<>() {};

  private McpResults() {}

  /**
   * A tool result as JSON: its {@code structuredContent} when it has one; else its text, when all
   * its content is text (the parts joined by a line break); else its content blocks as they are
   * (images and resources with their {@code type}, {@code mimeType}, {@code data} ...).
   */
  static JsonNode toJson(McpSchema.CallToolResult result) {
    if (result.structuredContent() != null) {
      return Json.toTree(result.structuredContent());
    }
    List<McpSchema.Content> content = result.content() == null ? List.of() : result.content();
    if (content.isEmpty()) {
      return NullNode.getInstance();
    }
    if (content.stream().allMatch(McpSchema.TextContent.class::isInstance)) {
      return TextNode.valueOf(text(content));
    }
    return blocks(content);
  }

  /** Content blocks with their {@code type}: written as the SDK's polymorphic type, not each class. */
  private static JsonNode blocks(List<McpSchema.Content> content) {
    try {
      return Json.parse(Json.mapper().writerFor(CONTENT_LIST).writeValueAsString(content));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("content not serializable as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** What a failed ({@code isError}) result says, for the error message. */
  static String errorText(McpSchema.CallToolResult result) {
    List<McpSchema.Content> content = result.content() == null ? List.of() : result.content();
    String text = text(content);
    if (!text.isBlank()) {
      return text;
    }
    if (result.structuredContent() != null) {
      return Json.write(result.structuredContent());
    }
    return content.isEmpty() ? "no details" : blocks(content).toString();
  }

  private static String text(List<McpSchema.Content> content) {
    return content.stream()
        .filter(McpSchema.TextContent.class::isInstance)
        .map(part -> ((McpSchema.TextContent) part).text())
        .collect(Collectors.joining("\n"));
  }

  /**
   * A tool's input schema as given to the model and used to check the model's arguments: the
   * server's, an object schema (MCP requires one; an empty schema becomes {@code {"type":"object"}}).
   */
  static JsonNode inputSchema(Map<String, Object> schema) {
    JsonNode tree = schema == null ? Json.object() : Json.toTree(schema);
    ObjectNode object = tree instanceof ObjectNode node ? node.deepCopy() : Json.object();
    if (!object.has("type")) {
      object.put("type", "object");
    }
    return object;
  }
}
