package io.helix.bench;

import io.helix.json.Json;
import io.helix.model.ModelCall;
import io.helix.model.ModelClient;
import io.helix.model.ModelEvent;
import io.helix.model.ModelException;
import io.helix.model.ModelRequest;
import io.helix.model.ModelResponse;
import io.helix.model.ModelResponseBuilder;
import io.helix.model.ScriptedModel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A fake streaming model as a user's node would see one: the first token after {@code firstToken}
 * ms, then {@code tokensPerSecond}; {@code toolSteps} answers end with a tool call, the one after
 * with the final text. Each token is {@code t<nanoTime of its emission> }, so a client in this JVM
 * can tell how long a token took from the model to it.
 */
final class StreamingModel implements ModelClient {

  static final String TOKEN_PREFIX = "t";

  private final ScheduledExecutorService clock =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "streaming-model");
            t.setDaemon(true);
            return t;
          });
  private final long firstTokenMillis;
  private final long tokenIntervalMicros;
  private final int tokensPerAnswer;
  private final int toolSteps;

  StreamingModel(long firstTokenMillis, int tokensPerSecond, int tokensPerAnswer, int toolSteps) {
    this.firstTokenMillis = firstTokenMillis;
    this.tokenIntervalMicros = 1_000_000L / tokensPerSecond;
    this.tokensPerAnswer = tokensPerAnswer;
    this.toolSteps = toolSteps;
  }

  /** The tokens a client of one run's stream receives. */
  int tokensPerRun() {
    return tokensPerAnswer * (toolSteps + 1);
  }

  @Override
  public ModelCall stream(ModelRequest request, Consumer<ModelEvent> events) {
    CompletableFuture<ModelResponse> response = new CompletableFuture<>();
    AtomicReference<ScheduledFuture<?>> next = new AtomicReference<>();
    ModelResponseBuilder answer = new ModelResponseBuilder();
    boolean toolStep = request.step() <= toolSteps;
    next.set(
        clock.schedule(
            () -> token(request, 0, toolStep, answer, events, response, next),
            firstTokenMillis,
            TimeUnit.MILLISECONDS));
    return new ModelCall() {
      @Override
      public CompletionStage<ModelResponse> response() {
        return response;
      }

      @Override
      public void cancel() {
        if (response.completeExceptionally(ModelException.fatal("model call cancelled"))) {
          ScheduledFuture<?> pending = next.get();
          if (pending != null) {
            pending.cancel(false);
          }
        }
      }
    };
  }

  private void token(
      ModelRequest request,
      int index,
      boolean toolStep,
      ModelResponseBuilder answer,
      Consumer<ModelEvent> events,
      CompletableFuture<ModelResponse> response,
      AtomicReference<ScheduledFuture<?>> next) {
    if (response.isDone()) {
      return;
    }
    emit(ScriptedModel.text(TOKEN_PREFIX + System.nanoTime() + " "), answer, events);
    if (index + 1 < tokensPerAnswer) {
      next.set(
          clock.schedule(
              () -> token(request, index + 1, toolStep, answer, events, response, next),
              tokenIntervalMicros,
              TimeUnit.MICROSECONDS));
      return;
    }
    if (toolStep) {
      emit(
          ScriptedModel.toolCall(
              "call-" + request.step(), "lookup", Json.object().put("key", "k" + request.step())),
          answer,
          events);
    }
    emit(ScriptedModel.finish(toolStep ? "tool_calls" : "stop", 300, tokensPerAnswer), answer, events);
    response.complete(answer.build());
  }

  private static void emit(ModelEvent event, ModelResponseBuilder answer, Consumer<ModelEvent> events) {
    answer.add(event);
    events.accept(event);
  }
}
