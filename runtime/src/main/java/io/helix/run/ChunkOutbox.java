package io.helix.run;

import io.helix.run.RunChunks.Chunk;
import io.helix.stream.StreamChunk;
import io.helix.stream.StreamCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The chunks a run has yet to send to its stream. They go in one append per coalescing window or
 * full batch (a journal write per window, not per token or tool event); the run's last chunks go
 * at once. Not thread-safe: the entity's actor alone uses it.
 */
final class ChunkOutbox {

  private static final String FLUSH_TIMER = "flush-chunks";

  private final String runId;
  private final RunSettings settings;
  private final TimerScheduler<RunCommand> timers;
  private final BiConsumer<String, StreamCommand.Append> send;
  private final List<StreamChunk> unsent = new ArrayList<>();

  /** @param send sends an append to the stream of the given id */
  ChunkOutbox(
      String runId,
      RunSettings settings,
      TimerScheduler<RunCommand> timers,
      BiConsumer<String, StreamCommand.Append> send) {
    this.runId = runId;
    this.settings = settings;
    this.timers = timers;
    this.send = send;
  }

  /** Queues chunks of the state's step. */
  void add(RunState state, List<Chunk> chunks) {
    chunks.forEach(chunk -> add(state, state.step(), chunk));
  }

  /** Queues a chunk of the state's step. */
  void add(RunState state, Chunk chunk) {
    add(state, state.step(), chunk);
  }

  /** Queues a chunk of {@code step} (the step a model call answers is the state's next). */
  void add(RunState state, int step, Chunk chunk) {
    long now = System.currentTimeMillis();
    unsent.add(StreamChunk.of(chunk.type(), runId, state.agentType(), step, now, chunk.data()));
    if (unsent.size() >= settings.chunkBatchMax()) {
      flush(state, false);
    } else if (!timers.isTimerActive(FLUSH_TIMER)) {
      timers.startSingleTimer(
          FLUSH_TIMER, InternalCommand.FlushChunks.INSTANCE, settings.chunkWindow());
    }
  }

  /** Sends what is queued, if anything; with {@code endStream} the stream then ends. */
  void flush(RunState state, boolean endStream) {
    timers.cancel(FLUSH_TIMER);
    if (unsent.isEmpty() && !endStream) {
      return;
    }
    send.accept(state.streamId(), new StreamCommand.Append(List.copyOf(unsent), endStream));
    unsent.clear();
  }
}
