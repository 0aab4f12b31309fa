package io.helix.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;

/** JSON Schemas generated from Java types, for tool inputs and structured outputs. */
public final class JsonSchemas {

  private static final SchemaGenerator GENERATOR =
      new SchemaGenerator(
          new SchemaGeneratorConfigBuilder(
                  Json.mapper(), SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
              .with(new JacksonModule(JacksonOption.RESPECT_JSONPROPERTY_REQUIRED))
              .with(Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT)
              .build());

  private JsonSchemas() {}

  public static JsonNode of(Class<?> type) {
    return GENERATOR.generateSchema(type);
  }
}
