package io.helix.stream;

import io.helix.serialization.CborSerializable;

/**
 * A stream as it is now.
 *
 * @param nextOffset one past its last chunk (0: nothing appended yet)
 * @param ended whether it has ended
 * @param endedAt when it ended (epoch millis), 0 while open
 * @param deleted whether its chunks were deleted after the retention period
 * @param deletedAt when they were deleted (epoch millis), 0 if not
 * @param subscribers the live subscribers of the entity
 * @param chunksInMemory the chunks the entity keeps in memory (older ones are read from the
 *     journal)
 */
public record StreamStatus(
    String streamId,
    long nextOffset,
    boolean ended,
    long endedAt,
    boolean deleted,
    long deletedAt,
    int subscribers,
    int chunksInMemory)
    implements CborSerializable {

  /** Whether anything was ever appended (an unknown stream id has nothing). */
  public boolean exists() {
    return nextOffset > 0 || ended || deleted;
  }
}
