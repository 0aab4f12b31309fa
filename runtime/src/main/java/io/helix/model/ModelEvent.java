package io.helix.model;

/** What a model streams while it answers. The complete answer is the {@link ModelResponse}. */
public sealed interface ModelEvent {

  record TextDelta(String text) implements ModelEvent {}

  record ThinkingDelta(String text) implements ModelEvent {}

  record ToolCallRequested(ToolCall call) implements ModelEvent {}

  record Finished(String finishReason, TokenUsage usage) implements ModelEvent {}
}
