package io.helix.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.serialization.CborSerializable;

/** A tool call asked for by the model; {@code id} is the provider's call id. */
public record ToolCall(String id, String name, JsonNode arguments) implements CborSerializable {}
