package io.helix.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;

/** Validates JSON against a JSON Schema (draft 2020-12 unless the schema says otherwise). */
public final class JsonValidator {

  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  private final JsonSchema schema;

  private JsonValidator(JsonSchema schema) {
    this.schema = schema;
  }

  // schemas are few (one per tool and output type): compile each once
  private static final Map<JsonNode, JsonValidator> COMPILED = new ConcurrentHashMap<>();

  public static JsonValidator of(JsonNode schema) {
    return COMPILED.computeIfAbsent(schema, s -> new JsonValidator(FACTORY.getSchema(s)));
  }

  /** What is wrong with {@code value}; empty when it is valid. */
  public List<String> problems(JsonNode value) {
    Set<ValidationMessage> messages = schema.validate(value == null ? Json.object().nullNode() : value);
    return messages.stream().map(ValidationMessage::getMessage).sorted().toList();
  }
}
