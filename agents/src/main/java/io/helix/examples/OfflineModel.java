package io.helix.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.helix.agent.AgentDefinition;
import io.helix.json.Json;
import io.helix.model.Message;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.model.ToolResultMessage;
import io.helix.model.ToolSpec;
import io.helix.model.UserMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in offline model, used when no model provider is configured: no intelligence, but it
 * streams text, calls the calculator when the agent has one, and gives a final answer, so the whole
 * pipeline runs without an API key.
 */
public final class OfflineModel {

  /** The provider name agents use: {@code offline:builtin}. */
  public static final String PROVIDER = "offline";

  public static final String MODEL_ID = PROVIDER + ":builtin";

  private static final Pattern ARITHMETIC_CHARS = Pattern.compile("[\\d.+\\-*/%^()\\s]+");
  private static final Pattern HAS_OPERATION = Pattern.compile("\\d.*[+\\-*/%^].*\\d");
  private static final String FALLBACK_EXPRESSION = "6 * 7";

  private OfflineModel() {}

  /** The model, streaming a word every {@code pause}. */
  public static ScriptedModel create(Duration pause) {
    return ScriptedModel.uncounted(OfflineModel::answer, pause);
  }

  /**
   * Plays the part of a model with what the agent offers: the calculator first, then a sub-agent,
   * then the structured output (a sample valid for the schema) or a text answer.
   */
  static List<ModelEvent> answer(ModelRequest request) {
    Message last = request.messages().get(request.messages().size() - 1);
    String input = request.messages().get(0) instanceof UserMessage user ? user.content() : "";
    String callId = "offline-" + request.step();
    String lower = input.toLowerCase(java.util.Locale.ROOT);
    if (last instanceof UserMessage && offers(request, "send_email") && lower.contains("email")) {
      List<ModelEvent> events = words("I will draft the email; it goes out once you approve it. ");
      events.add(
          ScriptedModel.toolCall(
              callId,
              "send_email",
              Json.object()
                  .put("to", "someone@example.com")
                  .put("subject", "A message from your assistant")
                  .put("body", input)));
      events.add(ScriptedModel.finish("tool_calls", tokens(request), events.size()));
      return events;
    }
    if (last instanceof UserMessage
        && offers(request, "get_user_location")
        && (lower.contains("where") || lower.contains("location"))) {
      List<ModelEvent> events = words("Let me ask your device where you are. ");
      events.add(ScriptedModel.toolCall(callId, "get_user_location", Json.object()));
      events.add(ScriptedModel.finish("tool_calls", tokens(request), events.size()));
      return events;
    }
    if (last instanceof UserMessage && offers(request, "calculator")) {
      String expression = arithmeticIn(input);
      List<ModelEvent> events = words("I will compute " + expression + " with the calculator. ");
      events.add(
          ScriptedModel.toolCall(callId, "calculator", Json.object().put("expression", expression)));
      events.add(ScriptedModel.finish("tool_calls", tokens(request), events.size()));
      return events;
    }
    Optional<ToolSpec> subAgent =
        request.tools().stream()
            .filter(tool -> tool.name().startsWith(AgentDefinition.SUB_AGENT_PREFIX))
            .findFirst();
    if (last instanceof ToolResultMessage result
        && result.toolName().equals("calculator")
        && subAgent.isPresent()) {
      String task = "Analyze this request: " + input + " (the calculator found " + result.result() + ")";
      List<ModelEvent> events = words("I will ask the " + subAgent.get().name().substring(
          AgentDefinition.SUB_AGENT_PREFIX.length()) + " for an analysis. ");
      events.add(ScriptedModel.toolCall(callId, subAgent.get().name(), Json.object().put("message", task)));
      events.add(ScriptedModel.finish("tool_calls", tokens(request), events.size()));
      return events;
    }
    String text = summary(request, input);
    Optional<ToolSpec> finish =
        request.tools().stream().filter(tool -> tool.name().equals(AgentDefinition.FINISH_TOOL)).findFirst();
    List<ModelEvent> events = words(text);
    if (finish.isPresent()) {
      events.add(
          ScriptedModel.toolCall(callId, AgentDefinition.FINISH_TOOL, sample(finish.get().inputSchema(), text)));
      events.add(ScriptedModel.finish("tool_calls", tokens(request), events.size()));
    } else {
      events.add(ScriptedModel.finish("stop", tokens(request), events.size()));
    }
    return events;
  }

  private static boolean offers(ModelRequest request, String tool) {
    return request.tools().stream().map(ToolSpec::name).anyMatch(tool::equals);
  }

  /** What the tools said, and a note that this is not a real model. */
  private static String summary(ModelRequest request, String input) {
    StringBuilder text = new StringBuilder();
    for (Message message : request.messages()) {
      if (message instanceof ToolResultMessage result) {
        text.append(
            result.success()
                ? "The " + result.toolName() + " answered " + result.result() + ". "
                : "The " + result.toolName() + " failed: " + result.error() + ". ");
      }
    }
    if (text.isEmpty()) {
      text.append("You wrote ").append(input.split("\\s+").length).append(" words. ");
    }
    return text.append("(This is the offline model: configure a model provider for real answers.)")
        .toString();
  }

  /** A value valid for a simple JSON Schema: every property, strings from {@code text}. */
  static JsonNode sample(JsonNode schema, String text) {
    switch (schema.path("type").asText("object")) {
      case "array" -> {
        ArrayNode array = Json.mapper().createArrayNode();
        array.add(sample(schema.path("items"), text));
        return array;
      }
      case "string" -> {
        return TextNode.valueOf(text);
      }
      case "integer", "number" -> {
        return IntNode.valueOf(text.split("\\s+").length);
      }
      case "boolean" -> {
        return BooleanNode.TRUE;
      }
      default -> {
        ObjectNode object = Json.object();
        schema.path("properties").fields()
            .forEachRemaining(field -> object.set(field.getKey(), sample(field.getValue(), text)));
        return object;
      }
    }
  }

  /** The longest run of arithmetic in the text, or a fixed expression when there is none. */
  static String arithmeticIn(String text) {
    Matcher matcher = ARITHMETIC_CHARS.matcher(text);
    String longest = "";
    while (matcher.find()) {
      String candidate = matcher.group().trim();
      if (candidate.length() > longest.length() && HAS_OPERATION.matcher(candidate).find()) {
        longest = candidate;
      }
    }
    return longest.isEmpty() ? FALLBACK_EXPRESSION : longest;
  }

  private static List<ModelEvent> words(String text) {
    List<ModelEvent> events = new ArrayList<>();
    for (String word : text.split("(?<= )")) {
      events.add(ScriptedModel.text(word));
    }
    return events;
  }

  private static long tokens(ModelRequest request) {
    return request.messages().stream().mapToLong(m -> m.toString().length() / 4).sum();
  }
}
