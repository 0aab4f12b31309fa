package io.helix.stream;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The stream's side of the hand-off from runs, as pure functions: which chunks of an {@link
 * StreamCommand.AppendFrom} are new, the events that append them, and what the sender is told. A
 * plain {@link StreamCommand.Append} is one without an origin: appended as it comes.
 *
 * <p>Each run (an origin; sub-agents write into their root's stream, so a stream has several)
 * numbers its chunks with strictly increasing origin sequences and re-sends an append until it is
 * acknowledged. The stream keeps per origin the highest origin sequence it has appended, in its
 * events and state ({@link StreamState#origins}), so the dedupe survives its restarts: a chunk at
 * or below that is a duplicate (a re-send whose acknowledgement was lost, a duplicated or late
 * message) and is dropped; the others get offsets in the order they come. A run sends its next
 * append only once the previous one is acknowledged, so an append the stream never saw (a lost
 * message, a failed write, an overflowing stash) holds everything after it back until its re-send
 * arrives: no gap, no reordering.
 */
final class StreamHandOff {

  private StreamHandOff() {}

  /** A plain append as one of no origin, whose chunks are all appended. */
  static StreamCommand.AppendFrom withoutOrigin(StreamCommand.Append append) {
    return new StreamCommand.AppendFrom(
        null, append.chunks(), Collections.nCopies(append.chunks().size(), 0L), append.end(), null);
  }

  /** The events that carry out {@code append}, none when it brings nothing new. */
  static List<StreamEvent> events(StreamState state, StreamCommand.AppendFrom append, long now) {
    if (state.ended()) {
      return List.of(); // an ended (or deleted) stream takes nothing more
    }
    List<StreamEvent> events = new ArrayList<>(2);
    List<StreamChunk> numbered = new ArrayList<>(append.chunks().size());
    long offset = state.nextOffset();
    long highest = append.origin() == null ? 0 : state.highest(append.origin());
    for (int i = 0; i < append.chunks().size(); i++) {
      if (append.origin() != null) {
        long key = append.keys().get(i);
        if (key <= highest) {
          continue; // already appended
        }
        highest = key;
      }
      numbered.add(append.chunks().get(i).withSeq(offset++));
    }
    if (!numbered.isEmpty()) {
      events.add(new StreamEvent.ChunksAppended(List.copyOf(numbered), append.origin(), highest));
    }
    if (append.end()) {
      events.add(new StreamEvent.StreamEnded(now));
    }
    return events;
  }

  /** The events of appends carried out in one write, and the chunks they append. */
  record Batch(List<StreamEvent> events, List<StreamChunk> fresh) {}

  /**
   * The events that carry out {@code appends} one after the other (a re-send among them brings
   * nothing new), in one write: the chunks of consecutive appends of one origin in one event.
   */
  static Batch events(StreamState state, List<StreamCommand.AppendFrom> appends, long now) {
    List<StreamEvent> all = new ArrayList<>();
    List<StreamChunk> fresh = new ArrayList<>();
    StreamState after = state;
    for (StreamCommand.AppendFrom append : appends) {
      for (StreamEvent event : events(after, append, now)) {
        if (event instanceof StreamEvent.ChunksAppended appended) {
          fresh.addAll(appended.chunks());
          after = after.appended(appended);
          int last = all.size() - 1;
          if (last >= 0
              && all.get(last) instanceof StreamEvent.ChunksAppended previous
              && java.util.Objects.equals(previous.origin(), appended.origin())) {
            List<StreamChunk> both = new ArrayList<>(previous.chunks());
            both.addAll(appended.chunks());
            all.set(
                last,
                new StreamEvent.ChunksAppended(
                    List.copyOf(both), appended.origin(), appended.originSeq()));
            continue;
          }
        } else if (event instanceof StreamEvent.StreamEnded ended) {
          after = after.ended(ended.timestamp());
        }
        all.add(event);
      }
    }
    return new Batch(List.copyOf(all), List.copyOf(fresh));
  }

  /** The chunks {@code events} append. */
  static List<StreamChunk> fresh(List<StreamEvent> events) {
    return !events.isEmpty() && events.get(0) instanceof StreamEvent.ChunksAppended appended
        ? appended.chunks()
        : List.of();
  }

  /**
   * What the sender of {@code append} is told once the stream is in {@code state}: the highest
   * origin sequence it holds, or, when the stream has ended, all it was sent.
   */
  static StreamAck ack(String streamId, StreamState state, StreamCommand.AppendFrom append) {
    long upTo = state.highest(append.origin());
    if (state.ended() && !append.keys().isEmpty()) {
      upTo = Math.max(upTo, append.keys().get(append.keys().size() - 1));
    }
    return new StreamAck(streamId, append.origin(), upTo, state.ended());
  }

  /** Tells the sender of {@code append}, if it is one of the protocol, what the stream holds. */
  static void acknowledge(String streamId, StreamState state, StreamCommand.AppendFrom append) {
    if (append.origin() != null && append.replyTo() != null) {
      append.replyTo().tell(ack(streamId, state, append));
    }
  }
}
