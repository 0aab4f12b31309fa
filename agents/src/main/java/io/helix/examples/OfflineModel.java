package io.helix.examples;

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

  static List<ModelEvent> answer(ModelRequest request) {
    Message last = request.messages().get(request.messages().size() - 1);
    boolean hasCalculator = request.tools().stream().map(ToolSpec::name).anyMatch("calculator"::equals);
    if (last instanceof UserMessage user && hasCalculator) {
      String expression = arithmeticIn(user.content());
      List<ModelEvent> events = words("I will compute " + expression + " with the calculator.");
      events.add(
          ScriptedModel.toolCall(
              "offline-" + request.step(), "calculator", Json.object().put("expression", expression)));
      events.add(ScriptedModel.finish("tool_calls", tokens(request), 12));
      return events;
    }
    String text;
    if (last instanceof ToolResultMessage result) {
      text =
          result.success()
              ? "The " + result.toolName() + " answered " + result.result() + ". "
              : "The " + result.toolName() + " failed: " + result.error() + ". ";
    } else {
      String input = last instanceof UserMessage user ? user.content() : "";
      text = "You wrote " + input.split("\\s+").length + " words. ";
    }
    List<ModelEvent> events =
        words(text + "(This is the offline model: configure a model provider for real answers.)");
    events.add(ScriptedModel.finish("stop", tokens(request), events.size()));
    return events;
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
