package io.helix.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;

/**
 * The newest chunks of a stream, as the batches they were appended in, bounded to about {@code
 * capacity} chunks (whole batches are dropped, so it may hold up to one batch more). It has no
 * holes, and the entity trusts it only when it ends at the stream's last chunk; a stream's older
 * chunks are read from the journal. A cache of the journal, not state: the entity fills it after
 * each write, and after a start from the journal ({@link #readOlder}) once a subscriber needs it.
 * Mutable, owned by one entity.
 */
final class StreamTail {

  private final int capacity;
  private final ArrayDeque<List<StreamChunk>> batches = new ArrayDeque<>();
  private int size;
  // whether it holds all it would had its entity never stopped (else the rest is in the journal)
  private boolean complete = true;
  private boolean reading;
  private long starts;

  StreamTail(int capacity) {
    this.capacity = capacity;
  }

  void append(List<StreamChunk> batch) {
    if (batch.isEmpty()) {
      return;
    }
    if (!batches.isEmpty() && nextOffset() != batch.get(0).seq()) {
      // not contiguous (e.g. recovered from a snapshot): start over rather than hold a hole
      clear();
    }
    batches.addLast(batch);
    size += batch.size();
    while (size - batches.peekFirst().size() >= capacity) {
      size -= batches.pollFirst().size();
    }
  }

  /**
   * Puts the batches of {@code older}, which must end where this tail begins, before this tail's
   * own, as many as fit; does nothing when they do not meet.
   */
  private void prepend(StreamTail older) {
    if (older.batches.isEmpty()
        || (!batches.isEmpty() && older.nextOffset() != batches.peekFirst().get(0).seq())) {
      return;
    }
    for (Iterator<List<StreamChunk>> it = older.batches.descendingIterator();
        it.hasNext() && size < capacity; ) {
      List<StreamChunk> batch = it.next();
      batches.addFirst(batch);
      size += batch.size();
    }
  }

  // ---- after a start of the entity

  /**
   * After its entity started, or restarted after a failed write, on a stream that ends at {@code
   * streamNextOffset}: unless memory still ends there, the tail starts empty, and the chunks it
   * would hold are to be read from the journal if {@code readable}.
   */
  void started(long streamNextOffset, boolean readable) {
    if (batches.isEmpty() || nextOffset() != streamNextOffset) {
      clear();
      starts++;
      complete = streamNextOffset == 0 || !readable;
    }
  }

  /** Whether it is being read from the journal. */
  boolean reading() {
    return reading;
  }

  /** Whether reading it from the journal would bring offset {@code from} into memory. */
  boolean worthReading(long from, long streamNextOffset) {
    return !complete && !reading && from >= streamNextOffset - capacity;
  }

  /** The starts so far: a read during an earlier one is stale. */
  long starts() {
    return starts;
  }

  /**
   * Reads the chunks this tail lacks before its first one from the journal: those of events up to
   * {@code toSequenceNr} of the stream, from the one {@code index} names; then {@link #readDone}.
   */
  CompletionStage<StreamTail> readOlder(
      CurrentEventsByPersistenceIdQuery journal,
      String persistenceId,
      StreamState.OffsetIndex index,
      long streamNextOffset,
      long toSequenceNr,
      ClassicActorSystemProvider system) {
    reading = true;
    long before = firstOffset(streamNextOffset);
    long fromSequenceNr = index.sequenceNrFor(Math.max(0, before - capacity));
    return journal
        .currentEventsByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr)
        .runFold(
            new StreamTail(capacity),
            (older, envelope) -> {
              if (envelope.event() instanceof StreamEvent.ChunksAppended appended
                  && !appended.chunks().isEmpty()
                  && appended.chunks().get(appended.chunks().size() - 1).seq() < before) {
                older.append(appended.chunks());
              }
              return older;
            },
            system);
  }

  /**
   * The chunks {@link #readOlder} read during start {@code start} ({@code null} if it failed): they
   * go before this tail's own, and nothing is read again until the next start.
   */
  void readDone(long start, StreamTail older) {
    reading = false;
    if (start == starts) {
      complete = true;
      if (older != null) {
        prepend(older);
      }
    }
  }

  void clear() {
    batches.clear();
    size = 0;
  }

  int size() {
    return size;
  }

  /** One past the last chunk held, or -1 when empty. */
  long nextOffset() {
    if (batches.isEmpty()) {
      return -1;
    }
    List<StreamChunk> last = batches.peekLast();
    return last.get(last.size() - 1).seq() + 1;
  }

  /**
   * The first offset a reader can get from here, given the stream's next offset: the tail is only
   * trusted when it ends exactly there.
   */
  long firstOffset(long streamNextOffset) {
    if (batches.isEmpty() || nextOffset() != streamNextOffset) {
      return streamNextOffset;
    }
    return batches.peekFirst().get(0).seq();
  }

  /** The chunks held from {@code offset} on (all of them when it is older). */
  List<StreamChunk> from(long offset) {
    if (batches.isEmpty() || offset >= nextOffset()) {
      return List.of();
    }
    // walk back from the newest batch: live readers ask for recent offsets
    ArrayDeque<List<StreamChunk>> parts = new ArrayDeque<>();
    int count = 0;
    for (Iterator<List<StreamChunk>> it = batches.descendingIterator(); it.hasNext(); ) {
      List<StreamChunk> batch = it.next();
      long first = batch.get(0).seq();
      if (first >= offset) {
        parts.addFirst(batch);
        count += batch.size();
      } else {
        List<StreamChunk> part = batch.subList((int) (offset - first), batch.size());
        parts.addFirst(part);
        count += part.size();
        break;
      }
    }
    if (parts.size() == 1) {
      return parts.peekFirst();
    }
    List<StreamChunk> out = new ArrayList<>(count);
    parts.forEach(out::addAll);
    return out;
  }
}
