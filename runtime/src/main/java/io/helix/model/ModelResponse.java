package io.helix.model;

/** A model's complete answer to one {@link ModelRequest}. */
public record ModelResponse(AssistantMessage message, String finishReason, TokenUsage usage) {}
