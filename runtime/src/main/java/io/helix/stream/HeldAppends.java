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
 * offsets stay exact; a held append is not acknowledged, so a crash loses nothing: its run sends
 * it again. Not thread-safe: the entity's actor alone uses it.
 */
final class HeldAppends {

  /** The entity's message to itself to write what it holds: local, never serialized. */
  enum Flush implements StreamEntity.InternalCommand {
    INSTANCE
  }

  private final TimerScheduler<StreamCommand> timers;
  private final Duration window;
  private final int maxChunks;
  private final List<StreamCommand.AppendFrom> held = new ArrayList<>();
  private int chunks;

  HeldAppends(TimerScheduler<StreamCommand> timers, StreamSettings settings) {
    this.timers = timers;
    this.window = settings.unwatchedWindow();
    this.maxChunks = settings.unwatchedMaxChunks();
  }

  /**
   * Takes an append; true when it waits (the stream has no subscriber, does not end with it, and
   * holds fewer than {@code max-chunks}), false when everything held is to be written now. An
   * append is acknowledged to its run only once written ({@link StreamHandOff}): a run sends its
   * next append after that, so while a stream is unwatched its runs' chunks gather in their own
   * outboxes too.
   */
  boolean hold(StreamCommand.AppendFrom append, boolean watched) {
    held.add(append);
    chunks += append.chunks().size();
    if (watched || append.end() || window.isZero() || chunks >= maxChunks || endsARun(append)) {
      return false;
    }
    if (!timers.isTimerActive(Flush.INSTANCE)) {
      timers.startSingleTimer(Flush.INSTANCE, Flush.INSTANCE, window);
    }
    return true;
  }

  /**
   * Whether the append carries a run's end: who waits for that run's result (a parent, a caller)
   * hears of it once its stream holds it, so it is not held back.
   */
  private static boolean endsARun(StreamCommand.AppendFrom append) {
    return append.chunks().stream().anyMatch(chunk -> ChunkTypes.RUN_END.equals(chunk.type()));
  }

  /** The appends held, in the order they came; holds nothing afterwards. */
  List<StreamCommand.AppendFrom> release() {
    timers.cancel(Flush.INSTANCE);
    List<StreamCommand.AppendFrom> released = List.copyOf(held);
    held.clear();
    chunks = 0;
    return released;
  }
}
