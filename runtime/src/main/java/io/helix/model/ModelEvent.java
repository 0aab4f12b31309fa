package io.helix.model;

/** What a model streams while it answers. The complete answer is the {@link ModelResponse}. */
public sealed interface ModelEvent {

  record TextDelta(String text) implements ModelEvent {}

  record ThinkingDelta(String text) implements ModelEvent {}

  /** A complete tool call; the response's tool calls are these, in order. */
  record ToolCallRequested(ToolCall call) implements ModelEvent {}

  /** A provider began streaming the arguments of a tool call (informational). */
  record ToolCallStarted(String toolCallId, String toolName) implements ModelEvent {}

  /** A piece of a tool call's JSON arguments as the provider streams them (informational). */
  record ToolCallArgumentsDelta(String toolCallId, String delta) implements ModelEvent {}

  record Finished(String finishReason, TokenUsage usage) implements ModelEvent {}
}
