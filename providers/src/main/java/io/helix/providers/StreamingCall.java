package io.helix.providers;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.FinishReason;
import io.helix.json.Json;
import io.helix.model.ModelCall;
import io.helix.model.ModelEvent;
import io.helix.model.ModelException;
import io.helix.model.ModelResponse;
import io.helix.model.ModelResponseBuilder;
import io.helix.model.TokenUsage;
import io.helix.model.ToolCall;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * One streaming model call: LangChain4j's handler on one side, our {@link ModelCall} and events on
 * the other. Callbacks arrive on the HTTP client's thread; {@link #cancel()} comes from anywhere.
 *
 * <p>Cancelling closes the HTTP stream two ways: through the {@link CallConnection} (at any stage
 * of the exchange) and through LangChain4j's {@link StreamingHandle}, which a handler only gets
 * with a delta; a cancel that comes before the first delta is remembered and applied to the handle
 * at the first callback.
 */
final class StreamingCall implements ModelCall, StreamingChatResponseHandler {

  private final Consumer<ModelEvent> events;
  private final ProviderErrors errors;
  private final CallConnection connection = new CallConnection();
  private final CompletableFuture<ModelResponse> response = new CompletableFuture<>();
  // guarded by this: the events in order, and what has been streamed so far
  private final ModelResponseBuilder builder = new ModelResponseBuilder();
  private final Map<Integer, String> toolCallIds = new HashMap<>();
  private boolean streamedText;
  private boolean streamedThinking;
  private volatile boolean cancelled;
  private volatile StreamingHandle handle;

  StreamingCall(Consumer<ModelEvent> events, ProviderErrors errors) {
    this.events = events;
    this.errors = errors;
  }

  CallConnection connection() {
    return connection;
  }

  // ---- ModelCall

  @Override
  public CompletionStage<ModelResponse> response() {
    return response;
  }

  @Override
  public void cancel() {
    cancelled = true;
    response.completeExceptionally(ModelException.fatal("model call cancelled"));
    connection.close();
    StreamingHandle known = handle;
    if (known != null) {
      known.cancel();
    }
  }

  // ---- LangChain4j's handler

  @Override
  public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
    text(partial.text(), context.streamingHandle());
  }

  // Models that use the older callbacks without a context (no handle to cancel with) end here.
  @Override
  public void onPartialResponse(String partial) {
    text(partial, null);
  }

  @Override
  public void onPartialThinking(PartialThinking partial, PartialThinkingContext context) {
    thinking(partial.text(), context.streamingHandle());
  }

  @Override
  public void onPartialThinking(PartialThinking partial) {
    thinking(partial.text(), null);
  }

  @Override
  public void onPartialToolCall(PartialToolCall partial, PartialToolCallContext context) {
    toolCall(partial, context.streamingHandle());
  }

  @Override
  public void onPartialToolCall(PartialToolCall partial) {
    toolCall(partial, null);
  }

  private void text(String delta, StreamingHandle given) {
    if (live(given) && delta != null && !delta.isEmpty()) {
      synchronized (this) {
        streamedText = true;
        emit(new ModelEvent.TextDelta(delta));
      }
    }
  }

  private void thinking(String delta, StreamingHandle given) {
    if (live(given) && delta != null && !delta.isEmpty()) {
      synchronized (this) {
        streamedThinking = true;
        emit(new ModelEvent.ThinkingDelta(delta));
      }
    }
  }

  private void toolCall(PartialToolCall partial, StreamingHandle given) {
    if (!live(given)) {
      return;
    }
    synchronized (this) {
      String id = toolCallIds.get(partial.index());
      if (id == null) {
        id = partial.id() == null ? fallbackId(partial.index()) : partial.id();
        toolCallIds.put(partial.index(), id);
        emit(new ModelEvent.ToolCallStarted(id, partial.name()));
      }
      if (partial.partialArguments() != null && !partial.partialArguments().isEmpty()) {
        emit(new ModelEvent.ToolCallArgumentsDelta(id, partial.partialArguments()));
      }
    }
  }

  /**
   * OpenAI reports a failure mid-stream as a chunk with an {@code error} object and no choices;
   * LangChain4j passes it on unread, and would otherwise end the stream as an empty answer.
   */
  @Override
  public void onUnmappedRawEvent(Object raw) {
    if (raw instanceof ServerSentEvent event
        && event.data() != null
        && event.data().contains("\"error\"")) {
      try {
        if (Json.parse(event.data()).path("error").isObject()) {
          onError(new IllegalStateException(event.data()));
        }
      } catch (IllegalArgumentException notJson) {
        // not an error report
      }
    }
  }

  @Override
  public void onCompleteResponse(ChatResponse complete) {
    if (!live(null)) {
      return;
    }
    ModelResponse answer;
    synchronized (this) {
      AiMessage message = complete.aiMessage();
      // providers that do not stream a part still give it whole at the end
      if (!streamedText && message.text() != null && !message.text().isEmpty()) {
        emit(new ModelEvent.TextDelta(message.text()));
      }
      if (!streamedThinking && message.thinking() != null && !message.thinking().isEmpty()) {
        emit(new ModelEvent.ThinkingDelta(message.thinking()));
      }
      Map<String, String> attributes = new HashMap<>();
      message.attributes().forEach(
          (name, value) -> {
            if (value instanceof String text) {
              attributes.put(name, text);
            }
          });
      if (!attributes.isEmpty()) {
        emit(new ModelEvent.ProviderAttributes(attributes));
      }
      List<ToolExecutionRequest> requests = message.toolExecutionRequests();
      for (int i = 0; i < requests.size(); i++) {
        ToolCall call = Conversations.toToolCall(requests.get(i), toolCallIds.getOrDefault(i, fallbackId(i)));
        emit(new ModelEvent.ToolCallRequested(call));
      }
      emit(new ModelEvent.Finished(finishReason(complete.finishReason()), usage(complete)));
      answer = builder.build();
    }
    response.complete(answer);
  }

  @Override
  public void onError(Throwable error) {
    if (!cancelled) {
      response.completeExceptionally(errors.classify(error));
    }
    // a failed stream may still be open (an error event mid-stream): close it
    connection.close();
  }

  // ---- helpers

  /** False once the call is over; applies a cancel that came before LangChain4j gave a handle. */
  private boolean live(StreamingHandle given) {
    if (given != null && handle == null) {
      handle = given;
    }
    if (cancelled) {
      StreamingHandle known = handle;
      if (known != null && !known.isCancelled()) {
        known.cancel();
      }
      return false;
    }
    return !response.isDone();
  }

  private void emit(ModelEvent event) {
    builder.add(event);
    events.accept(event);
  }

  private static String fallbackId(int index) {
    return "call_" + index;
  }

  private static String finishReason(FinishReason reason) {
    if (reason == null) {
      return "stop";
    }
    return switch (reason) {
      case TOOL_EXECUTION -> "tool_calls";
      case CONTENT_FILTER -> "content_filter";
      default -> reason.name().toLowerCase(Locale.ROOT);
    };
  }

  private static TokenUsage usage(ChatResponse complete) {
    dev.langchain4j.model.output.TokenUsage usage = complete.tokenUsage();
    if (usage == null) {
      return TokenUsage.ZERO;
    }
    return new TokenUsage(count(usage.inputTokenCount()), count(usage.outputTokenCount()));
  }

  private static long count(Integer tokens) {
    return tokens == null ? 0 : tokens;
  }
}
