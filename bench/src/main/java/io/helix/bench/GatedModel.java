package io.helix.bench;

import io.helix.model.ModelCall;
import io.helix.model.ModelClient;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ModelResponse;
import io.helix.model.ModelResponseBuilder;
import io.helix.model.ScriptedModel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** A model that answers only once released: runs stay active while their heap is measured. */
final class GatedModel implements ModelClient {

  final CompletableFuture<Void> gate = new CompletableFuture<>();

  @Override
  public ModelCall stream(ModelRequest request, Consumer<ModelEvent> events) {
    CompletableFuture<ModelResponse> response =
        gate.thenApply(
            released -> {
              ModelResponseBuilder answer = new ModelResponseBuilder();
              ScriptedModel.answer("released").forEach(answer::add);
              return answer.build();
            });
    return new ModelCall() {
      @Override
      public CompletionStage<ModelResponse> response() {
        return response;
      }

      @Override
      public void cancel() {
        response.cancel(false);
      }
    };
  }
}
