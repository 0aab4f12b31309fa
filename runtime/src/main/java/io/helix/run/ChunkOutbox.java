package io.helix.run;

import io.helix.run.RunChunks.Chunk;
import io.helix.stream.StreamAck;
import io.helix.stream.StreamChunk;
import io.helix.stream.StreamCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's side of the hand-off of its chunks to its stream: exactly once, in order, whatever is
 * lost, duplicated or reordered between them (the stream's side is {@code StreamHandOff}).
 *
 * <p>Every chunk gets an <em>origin sequence</em> (its key): {@code (sequenceNr << 24) + index},
 * where {@code sequenceNr} is the run's journal sequence number of the persisted event the chunk
 * follows and {@code index} counts the chunks since that event. The chunks of a persisted event
 * come first after it, so their keys are a function of the journal alone and can be derived again
 * after a restart. Chunks go in one {@link StreamCommand.AppendFrom} per coalescing window or full
 * batch, and only one append is in flight: the next goes once the stream has acknowledged it
 * ({@link StreamAck}); until then it is re-sent with backoff ({@code helix.run.chunk-hand-off}).
 * The stream drops what it already holds, so re-sends and duplicates add nothing twice, and
 * nothing overtakes an append the stream has not taken. Waiting for the acknowledgement is the
 * back-pressure: a slow stream gets fewer, larger appends.
 *
 * <p>What each kind of chunk is guaranteed:
 *
 * <ul>
 *   <li>chunks of persisted events ({@code run_start}, {@code tool_start}, {@code tool_end}, {@code
 *       state_patch}, approvals, client tools, interrupts, resumptions) and a run's end ({@code
 *       output}/{@code error}, {@code run_end}): exactly once, in order, also across a crash or a
 *       move of the run: after recovery the outbox asks the stream for the highest key it holds of
 *       this run and derives the chunks of the events after it from the journal again ({@link
 *       #recover}, {@link #rederived});
 *   <li>everything else (token deltas, {@code stream_resync}, tools' custom events, sub-agent
 *       start and end, {@code run_status}): exactly once, in order, while the run's actor lives;
 *       those sent but unacknowledged when it crashes are lost (deltas are superseded by the
 *       persisted response; {@code stream_resync} tells clients so). Never duplicated: after a
 *       restart they get keys above all the stream holds.
 * </ul>
 *
 * Not thread-safe: the entity's actor alone uses it.
 */
final class ChunkOutbox {

  static final int INDEX_BITS = 24;

  private static final Logger LOG = LoggerFactory.getLogger(ChunkOutbox.class);

  private static final String FLUSH_TIMER = "flush-chunks";
  private static final String RESEND_TIMER = "resend-chunks";

  /**
   * A chunk with its key. A {@code provisional} key is one given while the outbox did not yet know
   * what the stream holds (after a recovery), to a chunk that cannot be derived from the journal:
   * it may be one the run used before, so it is replaced by one above all the stream holds.
   */
  record Keyed(long key, StreamChunk chunk, boolean provisional) {}

  /** A persisted event of the run and its journal sequence number. */
  record Persisted(long sequenceNr, RunEvent event) {}

  /** Where the outbox is: sending, or after a recovery first learning what the stream holds. */
  private enum Phase {
    LIVE,
    SYNCING,
    DERIVING
  }

  private final String runId;
  private final RunSettings settings;
  private final TimerScheduler<RunCommand> timers;
  private final LongSupplier lastSequenceNr;
  private final BiConsumer<String, StreamCommand.AppendFrom> send;
  private final ActorRef<StreamAck> acks;
  private final List<Keyed> pending = new ArrayList<>();
  // what waits for the stream to hold everything (answers to who waits for the run's end)
  private final List<Runnable> onIdle = new ArrayList<>();
  private boolean endPending;
  private String streamId;
  private StreamCommand.AppendFrom inFlight;
  private int attempts;
  private long nextKey;
  private long held = -1;
  private Phase phase = Phase.LIVE;
  private long dropped;
  // after a recovery: the agent, and how to read the journal from a sequence number
  private String agentType;
  private LongConsumer derive;

  /**
   * @param lastSequenceNr the run's journal sequence number of its last persisted event
   * @param send sends an append to the stream of the given id
   * @param acks where the stream's acknowledgements go (to this run's actor)
   */
  ChunkOutbox(
      String runId,
      RunSettings settings,
      TimerScheduler<RunCommand> timers,
      LongSupplier lastSequenceNr,
      BiConsumer<String, StreamCommand.AppendFrom> send,
      ActorRef<StreamAck> acks) {
    this.runId = runId;
    this.settings = settings;
    this.timers = timers;
    this.lastSequenceNr = lastSequenceNr;
    this.send = send;
    this.acks = acks;
  }

  /** The key of chunk {@code index} after the event of {@code sequenceNr}. */
  static long keyOf(long sequenceNr, int index) {
    return (sequenceNr << INDEX_BITS) + index;
  }

  /** Queues chunks of the state's step that follow from nothing persisted (not derivable). */
  void add(RunState state, List<Chunk> chunks) {
    chunks.forEach(chunk -> add(state, state.step(), chunk));
  }

  /** Queues a chunk of the state's step that follows from nothing persisted. */
  void add(RunState state, Chunk chunk) {
    add(state, state.step(), chunk);
  }

  /** Queues a chunk of {@code step} (the step a model call answers is the state's next). */
  void add(RunState state, int step, Chunk chunk) {
    queue(state, step, lastSequenceNr.getAsLong(), chunk, false);
  }

  /** Queues the chunks of the event just persisted as {@code sequenceNr}, first after it. */
  void addPersisted(RunState state, long sequenceNr, List<Chunk> chunks) {
    chunks.forEach(chunk -> queue(state, state.step(), sequenceNr, chunk, true));
  }

  /** Queues a run's end, which its last event says again after any restart. */
  void addEnd(RunState state, List<Chunk> chunks) {
    addPersisted(state, lastSequenceNr.getAsLong(), chunks);
  }

  private void queue(RunState state, int step, long sequenceNr, Chunk chunk, boolean derivable) {
    streamId = state.streamId();
    if (!derivable && pending.size() >= settings.handOff().maxPending()) {
      // the stream takes nothing for long: what cannot be derived again is given up, counted
      if (dropped++ % 1000 == 0) {
        LOG.warn("run {}: stream {} takes nothing, {} chunks dropped", runId, streamId, dropped);
      }
      return;
    }
    long key = Math.max(nextKey, keyOf(sequenceNr, 0));
    nextKey = key + 1;
    StreamChunk stamped =
        StreamChunk.of(chunk.type(), runId, state.agentType(), step, now(), chunk.data());
    pending.add(new Keyed(key, stamped, !derivable && phase != Phase.LIVE));
    if (pending.size() >= settings.chunkBatchMax()) {
      flush(state, false);
    } else if (!timers.isTimerActive(FLUSH_TIMER)) {
      timers.startSingleTimer(
          FLUSH_TIMER, InternalCommand.FlushChunks.INSTANCE, settings.chunkWindow());
    }
  }

  /** Sends what is queued, if anything; with {@code endStream} the stream then ends. */
  void flush(RunState state, boolean endStream) {
    timers.cancel(FLUSH_TIMER);
    streamId = state.streamId();
    endPending |= endStream;
    sendNext();
  }

  /** Whether the stream has acknowledged everything: nothing is queued or in flight. */
  boolean idle() {
    return phase == Phase.LIVE && inFlight == null && pending.isEmpty() && !endPending;
  }

  /** Runs {@code action} once the stream has acknowledged everything: now, or when it has. */
  void whenIdle(Runnable action) {
    if (idle()) {
      action.run();
    } else {
      onIdle.add(action);
    }
  }

  private void idleNow() {
    if (idle() && !onIdle.isEmpty()) {
      List<Runnable> actions = List.copyOf(onIdle);
      onIdle.clear();
      actions.forEach(Runnable::run);
    }
  }

  /** A message of the hand-off to this run's actor. */
  void on(RunState state, InternalCommand.OutboxCommand command) {
    if (command instanceof InternalCommand.FlushChunks) {
      flush(state, false);
    } else if (command instanceof InternalCommand.ResendChunks) {
      resend();
    } else if (command instanceof InternalCommand.ChunksAcked acked) {
      acked(acked.upTo(), acked.ended());
    } else if (command instanceof InternalCommand.ChunksRederived derived) {
      rederived(derived.events());
    }
  }

  private void sendNext() {
    if (phase != Phase.LIVE || inFlight != null || (pending.isEmpty() && !endPending)) {
      idleNow();
      return;
    }
    int n = Math.min(pending.size(), settings.chunkBatchMax() * 8);
    List<Keyed> batch = List.copyOf(pending.subList(0, n));
    pending.subList(0, n).clear();
    boolean end = endPending && pending.isEmpty();
    endPending &= !end;
    transmit(
        new StreamCommand.AppendFrom(
            runId,
            batch.stream().map(Keyed::chunk).toList(),
            batch.stream().map(Keyed::key).toList(),
            end,
            acks));
  }

  private void transmit(StreamCommand.AppendFrom append) {
    inFlight = append;
    attempts = 0;
    send.accept(streamId, append);
    timers.startSingleTimer(
        RESEND_TIMER, InternalCommand.ResendChunks.INSTANCE, settings.handOff().backoff(0));
  }

  /** No acknowledgement in time: the same append again, a little later each time. */
  private void resend() {
    if (inFlight == null) {
      return;
    }
    attempts++;
    send.accept(streamId, inFlight);
    timers.startSingleTimer(
        RESEND_TIMER, InternalCommand.ResendChunks.INSTANCE, settings.handOff().backoff(attempts));
  }

  private void acked(long upTo, boolean ended) {
    if (inFlight == null) {
      return;
    }
    if (ended) {
      // the stream takes nothing more (a root ended it, or it was deleted): nothing to send
      inFlight = null;
      timers.cancel(RESEND_TIMER);
      pending.clear();
      endPending = false;
      phase = Phase.LIVE;
      idleNow();
      return;
    }
    List<Long> keys = inFlight.keys();
    if (!keys.isEmpty() && upTo < keys.get(keys.size() - 1)) {
      return; // the answer to an earlier append (or to a copy of one)
    }
    inFlight = null;
    timers.cancel(RESEND_TIMER);
    if (phase == Phase.SYNCING) {
      held = upTo;
      phase = Phase.DERIVING;
      // the events whose chunks the stream may lack: from the one its highest key follows
      derive.accept(Math.max(1, upTo >> INDEX_BITS));
      return;
    }
    sendNext();
  }

  /**
   * The run recovered (a start after a crash or a move, or a restart after a failed write): until
   * the stream says what it holds of this run, nothing is sent; then the chunks of the persisted
   * events after that are derived again ({@code derive} reads the journal from a sequence number
   * and answers {@link InternalCommand.ChunksRederived}).
   */
  void recover(RunState state, LongConsumer derive) {
    this.derive = derive;
    agentType = state.agentType();
    streamId = state.streamId();
    if (inFlight != null) {
      List<Keyed> again = new ArrayList<>();
      for (int i = 0; i < inFlight.chunks().size(); i++) {
        again.add(new Keyed(inFlight.keys().get(i), inFlight.chunks().get(i), false));
      }
      pending.addAll(0, again);
      endPending |= inFlight.end();
    }
    nextKey = Math.max(nextKey, keyOf(lastSequenceNr.getAsLong(), 0));
    phase = Phase.SYNCING;
    transmit(new StreamCommand.AppendFrom(runId, List.of(), List.of(), false, acks));
  }

  /**
   * The run's events from the one the stream's highest key follows: their chunks the stream lacks
   * go first, then what is queued, each above the one before: a chunk at or below what the stream
   * holds was delivered and is dropped, unless its key is provisional (it then gets a new one).
   */
  private void rederived(List<Persisted> events) {
    if (phase != Phase.DERIVING) {
      return;
    }
    List<Keyed> merged = new ArrayList<>();
    long last = held;
    for (Persisted persisted : events) {
      List<Chunk> chunks = RunChunks.ofEvent(persisted.event());
      for (int i = 0; i < chunks.size(); i++) {
        long key = keyOf(persisted.sequenceNr(), i);
        if (key > last) {
          Chunk chunk = chunks.get(i);
          int step = RunChunks.stepOf(persisted.event());
          StreamChunk stamped =
              StreamChunk.of(chunk.type(), runId, agentType, step, now(), chunk.data());
          merged.add(new Keyed(key, stamped, true));
          last = key;
        }
      }
    }
    for (Keyed queued : pending) {
      if (queued.key() > last) {
        merged.add(queued);
        last = queued.key();
      } else if (queued.provisional()) {
        merged.add(new Keyed(++last, queued.chunk(), false));
      }
    }
    pending.clear();
    pending.addAll(merged);
    nextKey = Math.max(nextKey, last + 1);
    phase = Phase.LIVE;
    sendNext();
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
