package io.helix.stream;

import io.helix.serialization.CborSerializable;
import java.util.List;

/** What a stream subscriber receives. */
public sealed interface StreamUpdate extends CborSerializable {

  /** Chunks in offset order, each durable. */
  record Chunks(List<StreamChunk> chunks) implements StreamUpdate {}

  /** The stream has ended; {@code nextOffset} is one past its last chunk. */
  record Ended(long nextOffset) implements StreamUpdate {}
}
