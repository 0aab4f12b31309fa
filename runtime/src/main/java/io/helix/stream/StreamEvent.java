package io.helix.stream;

import io.helix.serialization.CborSerializable;
import java.util.List;

/** The journal events of {@link StreamEntity}: many chunks per event, not one write per token. */
public sealed interface StreamEvent extends CborSerializable {

  record ChunksAppended(List<StreamChunk> chunks) implements StreamEvent {}

  /** Tagged {@link StreamEntity#ENDED_TAG}, which the retention sweep reads. */
  record StreamEnded(long timestamp) implements StreamEvent {}

  /**
   * The tombstone of a stream whose chunks were deleted after its retention; it holds what a
   * reader is told, so it alone rebuilds the state.
   */
  record StreamDeleted(long timestamp, long nextOffset, long endedAt) implements StreamEvent {}
}
