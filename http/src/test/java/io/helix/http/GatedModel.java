package io.helix.http;

import io.helix.model.ModelCall;
import io.helix.model.ModelClient;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ModelResponse;
import io.helix.model.ScriptedModel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** A scripted model that starts answering only once its gate is opened. */
final class GatedModel implements ModelClient {

  final CompletableFuture<Void> gate = new CompletableFuture<>();
  private final ScriptedModel script;

  GatedModel(ScriptedModel script) {
    this.script = script;
  }

  @Override
  public ModelCall stream(ModelRequest request, Consumer<ModelEvent> events) {
    CompletableFuture<ModelResponse> response = new CompletableFuture<>();
    AtomicReference<ModelCall> call = new AtomicReference<>();
    gate.thenRun(
        () -> {
          if (response.isDone()) {
            return;
          }
          ModelCall started = script.stream(request, events);
          call.set(started);
          started
              .response()
              .whenComplete(
                  (answer, error) -> {
                    if (error != null) {
                      response.completeExceptionally(error);
                    } else {
                      response.complete(answer);
                    }
                  });
        });
    return new ModelCall() {
      @Override
      public CompletionStage<ModelResponse> response() {
        return response;
      }

      @Override
      public void cancel() {
        ModelCall started = call.get();
        if (started != null) {
          started.cancel();
        }
        response.cancel(false);
      }
    };
  }
}
