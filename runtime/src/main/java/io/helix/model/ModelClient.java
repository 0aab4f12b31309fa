package io.helix.model;

import java.util.function.Consumer;

/**
 * The model interface of the runtime: a streaming chat model. Provider adapters implement it; the
 * journal only ever holds our own types, never a provider library's.
 */
public interface ModelClient {

  /**
   * Starts a call. {@code events} receives the deltas in order, on any thread, until the response
   * completes; it must not block.
   */
  ModelCall stream(ModelRequest request, Consumer<ModelEvent> events);
}
