package io.helix.history;

import io.helix.json.Json;
import io.helix.model.AssistantMessage;
import io.helix.model.Message;
import io.helix.model.ToolCall;
import io.helix.model.ToolResultMessage;
import io.helix.model.UserMessage;
import java.util.List;

/**
 * A row of {@code messages}: one message of a run's conversation.
 *
 * @param sequence the message's position in the conversation, from 0
 * @param role {@code user}, {@code assistant} or {@code tool}
 * @param content the text; for a tool message its result as JSON text, null when the call failed
 * @param toolCalls the tool calls an assistant message asks for (empty otherwise)
 * @param toolCallId the call a tool message answers
 * @param toolName the tool a tool message comes from
 * @param thinking an assistant message's reasoning, when the model gave it and it was asked for
 * @param error why a tool call failed, else null
 * @param createdAt epoch milliseconds
 */
public record StoredMessage(
    int sequence,
    String role,
    String content,
    List<ToolCall> toolCalls,
    String toolCallId,
    String toolName,
    String thinking,
    String error,
    long createdAt) {

  public StoredMessage {
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
  }

  /** The message as the runtime models it. */
  public Message toMessage() {
    return switch (role) {
      case "user" -> new UserMessage(content);
      case "assistant" -> new AssistantMessage(content, toolCalls, thinking);
      case "tool" ->
          new ToolResultMessage(
              toolCallId, toolName, content == null ? null : Json.parse(content), error == null, error);
      default -> throw new IllegalStateException("unknown role '" + role + "'");
    };
  }
}
