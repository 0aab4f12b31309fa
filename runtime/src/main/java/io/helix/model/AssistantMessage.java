package io.helix.model;

import java.util.List;
import java.util.Map;

/**
 * A model's response: text, the tool calls it asks for, and its reasoning where the provider
 * gives it ({@code thinking} may be null). {@code providerAttributes} are opaque values the
 * provider wants back with this message on the next call (Gemini's and Anthropic's thinking
 * signatures); they are kept in the journal with the message and never shown.
 */
public record AssistantMessage(
    String content, List<ToolCall> toolCalls, String thinking, Map<String, String> providerAttributes)
    implements Message {

  public AssistantMessage {
    content = content == null ? "" : content;
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    providerAttributes = providerAttributes == null ? Map.of() : Map.copyOf(providerAttributes);
  }

  /** A message without provider attributes. */
  public AssistantMessage(String content, List<ToolCall> toolCalls, String thinking) {
    this(content, toolCalls, thinking, Map.of());
  }

  public boolean hasToolCalls() {
    return !toolCalls.isEmpty();
  }
}
