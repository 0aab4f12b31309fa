package io.helix.model;

import com.fasterxml.jackson.databind.JsonNode;

/** What the model is told about a tool: its name, description and JSON-Schema input. */
public record ToolSpec(String name, String description, JsonNode inputSchema) {}
