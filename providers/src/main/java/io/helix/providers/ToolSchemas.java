package io.helix.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import io.helix.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tool's JSON Schema (a Jackson tree, as {@code ToolSpec} holds it) as LangChain4j's schema
 * elements, which each provider's mapper renders in its own dialect. What has no typed element
 * ({@code oneOf}, {@code const}, ...) goes through verbatim as a raw schema.
 */
final class ToolSchemas {

  private static final String DEFS_PREFIX = "#/$defs/";
  private static final String DEFINITIONS_PREFIX = "#/definitions/";

  private ToolSchemas() {}

  /** The parameters of a tool: always an object schema (no input is an empty object). */
  static JsonObjectSchema parameters(JsonNode schema) {
    if (schema == null || schema.isNull() || schema.isEmpty()) {
      return JsonObjectSchema.builder().build();
    }
    JsonObjectSchema.Builder builder = objectBuilder(schema);
    Map<String, JsonSchemaElement> definitions = new LinkedHashMap<>();
    for (String key : List.of("$defs", "definitions")) {
      schema.path(key).properties().forEach(e -> definitions.put(e.getKey(), element(e.getValue())));
    }
    if (!definitions.isEmpty()) {
      builder.definitions(definitions);
    }
    return builder.build();
  }

  static JsonSchemaElement element(JsonNode schema) {
    String description = text(schema, "description");
    if (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      String name =
          ref.startsWith(DEFS_PREFIX)
              ? ref.substring(DEFS_PREFIX.length())
              : ref.startsWith(DEFINITIONS_PREFIX) ? ref.substring(DEFINITIONS_PREFIX.length()) : null;
      return name == null ? raw(schema) : JsonReferenceSchema.builder().reference(name).build();
    }
    if (schema.has("enum") && schema.get("enum").isArray() && allText(schema.get("enum"))) {
      List<String> values = new ArrayList<>();
      schema.get("enum").forEach(v -> values.add(v.asText()));
      return JsonEnumSchema.builder().enumValues(values).description(description).build();
    }
    if (schema.has("anyOf") && schema.get("anyOf").isArray()) {
      List<JsonSchemaElement> options = new ArrayList<>();
      schema.get("anyOf").forEach(option -> options.add(element(option)));
      return JsonAnyOfSchema.builder().anyOf(options).description(description).build();
    }
    JsonNode type = schema.get("type");
    if (type != null && type.isArray()) {
      // ["string", "null"] and the like
      List<JsonSchemaElement> options = new ArrayList<>();
      for (JsonNode one : type) {
        options.add(element(((ObjectNode) schema.deepCopy()).put("type", one.asText())));
      }
      return options.size() == 1
          ? options.get(0)
          : JsonAnyOfSchema.builder().anyOf(options).description(description).build();
    }
    String kind = type == null ? (schema.has("properties") ? "object" : "") : type.asText();
    switch (kind) {
      case "object":
        return objectBuilder(schema).build();
      case "array":
        JsonArraySchema.Builder array = JsonArraySchema.builder().description(description);
        if (schema.has("items") && schema.get("items").isObject()) {
          array.items(element(schema.get("items")));
        }
        return array.build();
      case "string":
        return JsonStringSchema.builder().description(description).build();
      case "integer":
        return JsonIntegerSchema.builder().description(description).build();
      case "number":
        return JsonNumberSchema.builder().description(description).build();
      case "boolean":
        return JsonBooleanSchema.builder().description(description).build();
      case "null":
        return new JsonNullSchema();
      default:
        return raw(schema);
    }
  }

  private static JsonObjectSchema.Builder objectBuilder(JsonNode schema) {
    JsonObjectSchema.Builder builder =
        JsonObjectSchema.builder().description(text(schema, "description"));
    schema.path("properties").properties().forEach(e -> builder.addProperty(e.getKey(), element(e.getValue())));
    if (schema.path("required").isArray()) {
      List<String> required = new ArrayList<>();
      schema.get("required").forEach(name -> required.add(name.asText()));
      builder.required(required);
    }
    if (schema.path("additionalProperties").isBoolean()) {
      builder.additionalProperties(schema.get("additionalProperties").asBoolean());
    }
    return builder;
  }

  private static JsonRawSchema raw(JsonNode schema) {
    return JsonRawSchema.from(Json.write(schema));
  }

  private static String text(JsonNode schema, String field) {
    JsonNode value = schema.get(field);
    return value == null || !value.isTextual() ? null : value.asText();
  }

  private static boolean allText(JsonNode values) {
    for (JsonNode value : values) {
      if (!value.isTextual()) {
        return false;
      }
    }
    return true;
  }
}
