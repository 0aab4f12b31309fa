package io.helix.providers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import io.helix.json.Json;
import io.helix.model.AssistantMessage;
import io.helix.model.Message;
import io.helix.model.ModelRequest;
import io.helix.model.ToolCall;
import io.helix.model.ToolResultMessage;
import io.helix.model.ToolSpec;
import io.helix.model.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Our conversation (what the journal holds) as a LangChain4j chat request, and LangChain4j's tool
 * calls back as ours. LangChain4j types live only for the length of one call.
 */
final class Conversations {

  private Conversations() {}

  static ChatRequest toChatRequest(ModelRequest request) {
    if (request.model() == null || request.model().isBlank()) {
      throw new IllegalArgumentException("the model id names no model: use provider:model");
    }
    List<ChatMessage> messages = new ArrayList<>();
    if (request.systemPrompt() != null && !request.systemPrompt().isBlank()) {
      messages.add(SystemMessage.from(request.systemPrompt()));
    }
    for (Message message : request.messages()) {
      messages.add(toChatMessage(message));
    }
    ChatRequest.Builder chat = ChatRequest.builder().modelName(request.model()).messages(messages);
    if (request.tools() != null && !request.tools().isEmpty()) {
      chat.toolSpecifications(request.tools().stream().map(Conversations::toSpecification).toList());
    }
    return chat.build();
  }

  static ChatMessage toChatMessage(Message message) {
    if (message instanceof UserMessage user) {
      return dev.langchain4j.data.message.UserMessage.from(user.content());
    }
    if (message instanceof AssistantMessage assistant) {
      AiMessage.Builder ai = AiMessage.builder();
      if (!assistant.content().isEmpty()) {
        ai.text(assistant.content());
      }
      // thinking goes back only with the provider's signature of it, which is what they check
      if (!assistant.providerAttributes().isEmpty()) {
        ai.attributes(Map.copyOf(assistant.providerAttributes()));
        if (assistant.thinking() != null && !assistant.thinking().isEmpty()) {
          ai.thinking(assistant.thinking());
        }
      }
      if (assistant.hasToolCalls()) {
        ai.toolExecutionRequests(
            assistant.toolCalls().stream().map(Conversations::toExecutionRequest).toList());
      }
      return ai.build();
    }
    ToolResultMessage result = (ToolResultMessage) message;
    return ToolExecutionResultMessage.builder()
        .id(result.toolCallId())
        .toolName(result.toolName())
        .text(resultText(result))
        .isError(!result.success())
        .build();
  }

  private static ToolExecutionRequest toExecutionRequest(ToolCall call) {
    return ToolExecutionRequest.builder()
        .id(call.id())
        .name(call.name())
        .arguments(call.arguments() == null ? "{}" : Json.write(call.arguments()))
        .build();
  }

  /** A tool's result as the text the model reads: JSON, a plain string as it is, or the error. */
  static String resultText(ToolResultMessage result) {
    if (!result.success()) {
      return "Error: " + (result.error() == null ? "the tool failed" : result.error());
    }
    JsonNode value = result.result();
    if (value == null || value instanceof NullNode) {
      return "null";
    }
    return value.isTextual() ? value.asText() : Json.write(value);
  }

  static ToolSpecification toSpecification(ToolSpec tool) {
    return ToolSpecification.builder()
        .name(tool.name())
        .description(tool.description())
        .parameters(ToolSchemas.parameters(tool.inputSchema()))
        .build();
  }

  /**
   * A tool call the model asked for. Arguments that are not JSON (a cut-off answer) are kept as a
   * string, so the tool fails on them and the model sees why.
   */
  static ToolCall toToolCall(ToolExecutionRequest request, String fallbackId) {
    String id = request.id() == null || request.id().isBlank() ? fallbackId : request.id();
    String arguments = request.arguments();
    JsonNode parsed;
    if (arguments == null || arguments.isBlank()) {
      parsed = Json.object();
    } else {
      try {
        parsed = Json.parse(arguments);
      } catch (IllegalArgumentException notJson) {
        parsed = TextNode.valueOf(arguments);
      }
    }
    return new ToolCall(id, request.name(), parsed);
  }
}
