package io.helix.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The newest chunks of a stream, as the batches they were appended in, bounded to about {@code
 * capacity} chunks (whole batches are dropped, so it may hold up to one batch more). It always ends
 * at the stream's last chunk and has no holes; a stream's older chunks are read from the journal.
 * Mutable, owned by one entity.
 */
final class StreamTail {

  private final int capacity;
  private final ArrayDeque<List<StreamChunk>> batches = new ArrayDeque<>();
  private int size;

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
