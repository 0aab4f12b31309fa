package io.helix.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A model that answers from a script, for tests and benchmarks: the script maps each request to
 * the events of its answer, streamed one by one with an optional pause between them. It counts the
 * requests per run and step, so tests can prove a persisted response is never requested again.
 */
public final class ScriptedModel implements ModelClient {

  /** Maps a request to the events of its answer; may throw a {@link ModelException}. */
  @FunctionalInterface
  public interface Script {
    List<ModelEvent> answer(ModelRequest request);
  }

  private static final ScheduledExecutorService SCHEDULER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "scripted-model");
            t.setDaemon(true);
            return t;
          });

  private final Script script;
  private final Duration pauseBetweenEvents;
  private final boolean countRequests;
  private final Map<String, AtomicInteger> requestsByStep = new ConcurrentHashMap<>();
  private final AtomicInteger cancelled = new AtomicInteger();

  public ScriptedModel(Script script) {
    this(script, Duration.ZERO);
  }

  public ScriptedModel(Script script, Duration pauseBetweenEvents) {
    this(script, pauseBetweenEvents, true);
  }

  private ScriptedModel(Script script, Duration pauseBetweenEvents, boolean countRequests) {
    this.script = script;
    this.pauseBetweenEvents = pauseBetweenEvents;
    this.countRequests = countRequests;
  }

  /** A scripted model for long-lived servers: it keeps no count of requests. */
  public static ScriptedModel uncounted(Script script, Duration pauseBetweenEvents) {
    return new ScriptedModel(script, pauseBetweenEvents, false);
  }

  /** How many times step {@code step} of run {@code runId} was requested. */
  public int requests(String runId, int step) {
    AtomicInteger count = requestsByStep.get(runId + "/" + step);
    return count == null ? 0 : count.get();
  }

  public int totalRequests() {
    return requestsByStep.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** How many calls were cancelled while streaming. */
  public int cancelledCalls() {
    return cancelled.get();
  }

  @Override
  public ModelCall stream(ModelRequest request, Consumer<ModelEvent> events) {
    if (countRequests) {
      requestsByStep
          .computeIfAbsent(request.runId() + "/" + request.step(), k -> new AtomicInteger())
          .incrementAndGet();
    }
    CompletableFuture<ModelResponse> response = new CompletableFuture<>();
    List<ModelEvent> answer;
    try {
      answer = List.copyOf(script.answer(request));
    } catch (RuntimeException e) {
      response.completeExceptionally(e);
      return new Call(response, new AtomicReference<>());
    }
    AtomicReference<ScheduledFuture<?>> next = new AtomicReference<>();
    Call call = new Call(response, next);
    emit(answer, 0, new ModelResponseBuilder(), events, response, next);
    return call;
  }

  private void emit(
      List<ModelEvent> answer,
      int index,
      ModelResponseBuilder builder,
      Consumer<ModelEvent> events,
      CompletableFuture<ModelResponse> response,
      AtomicReference<ScheduledFuture<?>> next) {
    if (response.isDone()) {
      return;
    }
    if (index == answer.size()) {
      response.complete(builder.build());
      return;
    }
    long delayMillis = index == 0 ? 0 : pauseBetweenEvents.toMillis();
    next.set(
        SCHEDULER.schedule(
            () -> {
              if (response.isDone()) {
                return;
              }
              ModelEvent event = answer.get(index);
              builder.add(event);
              events.accept(event);
              emit(answer, index + 1, builder, events, response, next);
            },
            delayMillis,
            TimeUnit.MILLISECONDS));
  }

  private final class Call implements ModelCall {
    private final CompletableFuture<ModelResponse> response;
    private final AtomicReference<ScheduledFuture<?>> next;

    Call(CompletableFuture<ModelResponse> response, AtomicReference<ScheduledFuture<?>> next) {
      this.response = response;
      this.next = next;
    }

    @Override
    public CompletionStage<ModelResponse> response() {
      return response;
    }

    @Override
    public void cancel() {
      if (response.completeExceptionally(ModelException.fatal("model call cancelled"))) {
        cancelled.incrementAndGet();
        ScheduledFuture<?> pending = next.get();
        if (pending != null) {
          pending.cancel(false);
        }
      }
    }
  }

  // Building blocks for scripts.

  public static ModelEvent text(String delta) {
    return new ModelEvent.TextDelta(delta);
  }

  public static ModelEvent toolCall(String id, String name, JsonNode arguments) {
    return new ModelEvent.ToolCallRequested(new ToolCall(id, name, arguments));
  }

  public static ModelEvent finish(String reason, long inputTokens, long outputTokens) {
    return new ModelEvent.Finished(reason, new TokenUsage(inputTokens, outputTokens));
  }

  /** A final answer streamed as the given deltas. */
  public static List<ModelEvent> answer(String... deltas) {
    List<ModelEvent> events = new ArrayList<>();
    for (String delta : deltas) {
      events.add(text(delta));
    }
    events.add(finish("stop", 10, deltas.length));
    return events;
  }
}
