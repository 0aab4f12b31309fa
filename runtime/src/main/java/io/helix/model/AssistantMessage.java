package io.helix.model;

import java.util.List;

/**
 * A model's response: text, the tool calls it asks for, and its reasoning where the provider
 * gives it ({@code thinking} may be null).
 */
public record AssistantMessage(String content, List<ToolCall> toolCalls, String thinking)
    implements Message {

  public AssistantMessage {
    content = content == null ? "" : content;
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
  }

  public boolean hasToolCalls() {
    return !toolCalls.isEmpty();
  }
}
