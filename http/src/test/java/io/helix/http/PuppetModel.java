package io.helix.http;

import io.helix.model.ModelCall;
import io.helix.model.ModelClient;
import io.helix.model.ModelEvent;
import io.helix.model.ModelException;
import io.helix.model.ModelRequest;
import io.helix.model.ModelResponse;
import io.helix.model.ModelResponseBuilder;
import io.helix.model.ScriptedModel;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A model the test speaks for: each text delta of a run's answer is sent when the test says so,
 * and the answer ends when the test ends it. So a test can see each piece arrive before the next
 * is sent, with no timing involved. One model call per run (an answer with no tool calls).
 */
final class PuppetModel implements ModelClient {

  private final Map<String, CompletableFuture<Call>> calls = new ConcurrentHashMap<>();

  @Override
  public ModelCall stream(ModelRequest request, Consumer<ModelEvent> events) {
    Call call = new Call(events, request.messages());
    calls.computeIfAbsent(request.runId(), id -> new CompletableFuture<>()).complete(call);
    return call;
  }

  /** The model call of run {@code runId}, once the run has made it (at most 30 s). */
  Call call(String runId) {
    try {
      return calls
          .computeIfAbsent(runId, id -> new CompletableFuture<>())
          .get(TestServer.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("run " + runId + " did not call the model", e);
    }
  }

  /** A call in flight: the test sends its deltas and ends it. */
  static final class Call implements ModelCall {
    private final Consumer<ModelEvent> events;
    private final ModelResponseBuilder answer = new ModelResponseBuilder();
    private final CompletableFuture<ModelResponse> response = new CompletableFuture<>();
    /** The conversation the model was given. */
    final java.util.List<io.helix.model.Message> messages;
    private int deltas;

    Call(Consumer<ModelEvent> events, java.util.List<io.helix.model.Message> messages) {
      this.events = events;
      this.messages = java.util.List.copyOf(messages);
    }

    /** Streams one text delta. */
    synchronized void say(String delta) {
      deltas++;
      send(ScriptedModel.text(delta));
    }

    /** Ends the answer. */
    synchronized void finish() {
      send(ScriptedModel.finish("stop", 7, deltas));
      response.complete(answer.build());
    }

    private void send(ModelEvent event) {
      answer.add(event);
      events.accept(event);
    }

    @Override
    public CompletionStage<ModelResponse> response() {
      return response;
    }

    @Override
    public void cancel() {
      response.completeExceptionally(ModelException.fatal("model call cancelled"));
    }
  }
}
