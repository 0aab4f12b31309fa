package io.helix.stream;

import io.helix.serialization.CborSerializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a stream's entity keeps durable about its stream, small whatever the stream's length: the
 * chunks themselves live in the journal (and a bounded tail of them in the entity's memory).
 *
 * @param nextOffset the offset the next appended chunk gets
 * @param events the journal events so far, i.e. the sequence number of the last one
 * @param index where in the journal to start reading for an offset
 * @param origins per run writing to the stream, the highest origin sequence appended (see {@link
 *     StreamHandOff}); empty in snapshots written before the hand-off protocol
 */
public record StreamState(
    long nextOffset,
    long events,
    boolean ended,
    long endedAt,
    boolean deleted,
    long deletedAt,
    OffsetIndex index,
    Map<String, Long> origins)
    implements CborSerializable {

  public static final StreamState EMPTY =
      new StreamState(0, 0, false, 0, false, 0, OffsetIndex.EMPTY, Map.of());

  public StreamState {
    origins = origins == null ? Map.of() : origins;
  }

  /** A state as snapshots before the hand-off protocol held it. */
  public StreamState(
      long nextOffset,
      long events,
      boolean ended,
      long endedAt,
      boolean deleted,
      long deletedAt,
      OffsetIndex index) {
    this(nextOffset, events, ended, endedAt, deleted, deletedAt, index, Map.of());
  }

  /** The highest origin sequence of {@code origin} the stream holds; -1 when none. */
  public long highest(String origin) {
    return origins.getOrDefault(origin, -1L);
  }

  StreamState appended(StreamEvent.ChunksAppended appended) {
    long sequenceNr = events + 1;
    Map<String, Long> after = origins;
    if (appended.origin() != null) {
      after = new HashMap<>(origins);
      after.merge(appended.origin(), appended.originSeq(), Math::max);
    }
    return new StreamState(
        nextOffset + appended.chunks().size(),
        sequenceNr,
        ended,
        endedAt,
        deleted,
        deletedAt,
        index.with(nextOffset, sequenceNr),
        after);
  }

  StreamState ended(long timestamp) {
    return new StreamState(
        nextOffset, events + 1, true, timestamp, deleted, deletedAt, index, origins);
  }

  StreamState deleted(StreamEvent.StreamDeleted tombstone) {
    return new StreamState(
        Math.max(nextOffset, tombstone.nextOffset()),
        events + 1,
        true,
        tombstone.endedAt(),
        true,
        tombstone.timestamp(),
        OffsetIndex.EMPTY,
        Map.of());
  }

  /**
   * A sparse, bounded map from offsets to the journal events that hold them: an entry every {@code
   * stride} appends, the stride doubling whenever {@link #MAX_ENTRIES} is reached, so a reader
   * catching up from an old offset skips most of the journal before it.
   *
   * @param offsets the first offset of each indexed append, ascending
   * @param sequenceNrs the journal sequence number of each indexed append
   * @param appends the appends seen so far
   */
  public record OffsetIndex(long[] offsets, long[] sequenceNrs, int stride, long appends)
      implements CborSerializable {

    static final int MAX_ENTRIES = 256;
    static final OffsetIndex EMPTY = new OffsetIndex(new long[0], new long[0], 1, 0);

    OffsetIndex with(long firstOffset, long sequenceNr) {
      if (appends % stride != 0) {
        return new OffsetIndex(offsets, sequenceNrs, stride, appends + 1);
      }
      long[] o = offsets;
      long[] s = sequenceNrs;
      int nextStride = stride;
      if (o.length == MAX_ENTRIES) {
        // keep every other entry: those at multiples of the doubled stride
        long[] halfO = new long[MAX_ENTRIES / 2];
        long[] halfS = new long[MAX_ENTRIES / 2];
        for (int i = 0; i < halfO.length; i++) {
          halfO[i] = o[2 * i];
          halfS[i] = s[2 * i];
        }
        o = halfO;
        s = halfS;
        nextStride = stride * 2;
        if (appends % nextStride != 0) {
          return new OffsetIndex(o, s, nextStride, appends + 1);
        }
      }
      long[] moreO = Arrays.copyOf(o, o.length + 1);
      long[] moreS = Arrays.copyOf(s, s.length + 1);
      moreO[o.length] = firstOffset;
      moreS[s.length] = sequenceNr;
      return new OffsetIndex(moreO, moreS, nextStride, appends + 1);
    }

    /** A journal sequence number from which on every chunk at or after {@code offset} is held. */
    long sequenceNrFor(long offset) {
      int low = 0;
      int high = offsets.length - 1;
      long found = 1;
      while (low <= high) {
        int mid = (low + high) >>> 1;
        if (offsets[mid] <= offset) {
          found = sequenceNrs[mid];
          low = mid + 1;
        } else {
          high = mid - 1;
        }
      }
      return found;
    }
  }

  /** The stream's status with this state; the entity adds what only it knows. */
  StreamStatus status(String streamId, int subscribers, int chunksInMemory) {
    return new StreamStatus(
        streamId,
        nextOffset(),
        ended(),
        endedAt(),
        deleted(),
        deletedAt(),
        subscribers,
        chunksInMemory);
  }
}
