package io.helix.model;

import com.fasterxml.jackson.databind.JsonNode;

/** The result of one tool call, given back to the model. {@code error} is set when it failed. */
public record ToolResultMessage(
    String toolCallId, String toolName, JsonNode result, boolean success, String error)
    implements Message {}
