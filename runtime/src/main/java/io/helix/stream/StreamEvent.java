package io.helix.stream;

import io.helix.serialization.CborSerializable;
import java.util.List;

/** The journal events of {@link StreamEntity}: many chunks per event, not one write per token. */
public sealed interface StreamEvent extends CborSerializable {

  record ChunksAppended(List<StreamChunk> chunks) implements StreamEvent {}

  record StreamEnded(long timestamp) implements StreamEvent {}
}
