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

  /**
   * Opaque values the provider attached to its answer and wants back with it on the next call
   * (e.g. a thinking signature); they become the response's {@link
   * AssistantMessage#providerAttributes()}.
   */
  record ProviderAttributes(java.util.Map<String, String> values) implements ModelEvent {}

  record Finished(String finishReason, TokenUsage usage) implements ModelEvent {}
}
