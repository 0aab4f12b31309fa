package io.helix.model;

import java.util.concurrent.CompletionStage;

/** A model call in flight. */
public interface ModelCall {

  /** Completes with the whole response, or fails with a {@link ModelException}. */
  CompletionStage<ModelResponse> response();

  /** Stops the call and closes its connection; the response then fails. Idempotent. */
  void cancel();
}
