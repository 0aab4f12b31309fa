package io.helix.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The chunks a {@link StreamEntity} holds back while nobody watches it: appends to a stream without
 * subscribers are written together, one journal event per {@code
 * helix.stream.unwatched-coalescing.window} (or per {@code max-chunks} held) rather than one per
 * append, and at once when the stream ends, a subscriber comes, or the entity stops. Nobody has
 * seen a held chunk and none has an offset yet (offsets are assigned when they are written), so
 * offsets stay exact; a crash loses at most the chunks held, never a run's own events. Not
 * thread-safe: the entity's actor alone uses it.
 */
final class HeldAppends {

  /** The entity's message to itself to write what it holds: local, never serialized. */
  enum Flush implements StreamEntity.InternalCommand {
    INSTANCE
  }

  private final TimerScheduler<StreamCommand> timers;
  private final Duration window;
  private final int maxChunks;
  private final List<StreamChunk> held = new ArrayList<>();

  HeldAppends(TimerScheduler<StreamCommand> timers, StreamSettings settings) {
    this.timers = timers;
    this.window = settings.unwatchedWindow();
    this.maxChunks = settings.unwatchedMaxChunks();
  }

  /**
   * Takes the append's chunks; true when they wait (the stream has no subscriber, does not end
   * with this append, and holds fewer than {@code max-chunks}), false when all held chunks are to
   * be written now.
   */
  boolean hold(StreamCommand.Append append, boolean watched) {
    held.addAll(append.chunks());
    if (watched || append.end() || window.isZero() || held.size() >= maxChunks) {
      return false;
    }
    if (!timers.isTimerActive(Flush.INSTANCE)) {
      timers.startSingleTimer(Flush.INSTANCE, Flush.INSTANCE, window);
    }
    return true;
  }

  /** A write: its events (none: nothing to write), and the chunks they append, numbered. */
  record Write(List<StreamEvent> events, List<StreamChunk> chunks) {}

  /**
   * The write of the held chunks, numbered from {@code nextOffset}, then (with {@code end}) of the
   * stream's end. Holds nothing afterwards.
   */
  Write release(long nextOffset, boolean end) {
    timers.cancel(Flush.INSTANCE);
    List<StreamEvent> events = new ArrayList<>(2);
    List<StreamChunk> numbered = new ArrayList<>(held.size());
    long offset = nextOffset;
    for (StreamChunk chunk : held) {
      numbered.add(chunk.withSeq(offset++));
    }
    held.clear();
    if (!numbered.isEmpty()) {
      events.add(new StreamEvent.ChunksAppended(List.copyOf(numbered)));
    }
    if (end) {
      events.add(new StreamEvent.StreamEnded(System.currentTimeMillis()));
    }
    return new Write(events, List.copyOf(numbered));
  }
}
