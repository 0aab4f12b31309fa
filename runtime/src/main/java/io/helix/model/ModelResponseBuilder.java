package io.helix.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Assembles a {@link ModelResponse} from the events a model streamed. Not thread-safe. */
public final class ModelResponseBuilder {

  private final StringBuilder text = new StringBuilder();
  private final StringBuilder thinking = new StringBuilder();
  private final List<ToolCall> toolCalls = new ArrayList<>();
  private String finishReason = "stop";
  private TokenUsage usage = TokenUsage.ZERO;
  private final Map<String, String> providerAttributes = new HashMap<>();

  public ModelResponseBuilder add(ModelEvent event) {
    // Java 17: no pattern matching for switch yet
    if (event instanceof ModelEvent.TextDelta d) {
      text.append(d.text());
    } else if (event instanceof ModelEvent.ThinkingDelta d) {
      thinking.append(d.text());
    } else if (event instanceof ModelEvent.ToolCallRequested c) {
      toolCalls.add(c.call());
    } else if (event instanceof ModelEvent.ProviderAttributes a) {
      providerAttributes.putAll(a.values());
    } else if (event instanceof ModelEvent.Finished f) {
      finishReason = f.finishReason();
      usage = f.usage() == null ? TokenUsage.ZERO : f.usage();
    }
    return this;
  }

  public ModelResponse build() {
    return new ModelResponse(
        new AssistantMessage(
            text.toString(),
            toolCalls,
            thinking.isEmpty() ? null : thinking.toString(),
            providerAttributes),
        finishReason,
        usage);
  }
}
