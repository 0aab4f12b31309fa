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

  /**
   * A message of a conversation as the read model stores it, at position {@code sequence}; {@code
   * createdAt} 0 (a session's conversation does not keep message times). Without {@code
   * includeThinking} the model's reasoning is left out.
   */
  public static StoredMessage of(int sequence, Message message, boolean includeThinking) {
    if (message instanceof UserMessage user) {
      return new StoredMessage(sequence, "user", user.content(), null, null, null, null, null, 0);
    } else if (message instanceof AssistantMessage assistant) {
      return new StoredMessage(
          sequence, "assistant", assistant.content(), assistant.toolCalls(), null, null,
          includeThinking ? assistant.thinking() : null, null, 0);
    } else if (message instanceof ToolResultMessage tool) {
      return new StoredMessage(
          sequence, "tool", tool.result() == null ? null : Json.write(tool.result()), null,
          tool.toolCallId(), tool.toolName(), null, tool.error(), 0);
    }
    throw new IllegalArgumentException("unknown message " + message);
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
