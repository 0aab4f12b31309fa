package io.helix.stream;

import io.helix.serialization.CborSerializable;
import java.util.List;

/** The journal events of {@link StreamEntity}: many chunks per event, not one write per token. */
public sealed interface StreamEvent extends CborSerializable {

  /**
   * @param origin the run whose append this was; null outside the hand-off protocol (and in
   *     journals written before it)
   * @param originSeq the highest origin sequence of {@code origin} appended so far
   */
  record ChunksAppended(List<StreamChunk> chunks, String origin, long originSeq)
      implements StreamEvent {

    public ChunksAppended(List<StreamChunk> chunks) {
      this(chunks, null, 0);
    }
  }

  /** Tagged {@link StreamEntity#ENDED_TAG}, which the retention sweep reads. */
  record StreamEnded(long timestamp) implements StreamEvent {}

  /**
   * The tombstone of a stream whose chunks were deleted after its retention; it holds what a
   * reader is told, so it alone rebuilds the state.
   */
  record StreamDeleted(long timestamp, long nextOffset, long endedAt) implements StreamEvent {}
}
