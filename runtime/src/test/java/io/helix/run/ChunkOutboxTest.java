package io.helix.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.json.Json;
import io.helix.stream.StreamChunk;
import io.helix.stream.StreamCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.junit.jupiter.api.Test;

/** The coalescing of a run's chunks, with timers that only record what they were asked. */
class ChunkOutboxTest {

  /** Timers that never fire: they only say which are active, with what message and delay. */
  static final class RecordedTimers implements TimerScheduler<RunCommand> {
    final Map<Object, Duration> active = new HashMap<>();

    @Override
    public void startSingleTimer(Object key, RunCommand msg, Duration delay) {
      active.put(key, delay);
    }

    @Override
    public boolean isTimerActive(Object key) {
      return active.containsKey(key);
    }

    @Override
    public void cancel(Object key) {
      active.remove(key);
    }

    @Override
    public void cancelAll() {
      active.clear();
    }

    @Override
    public void startTimerWithFixedDelay(Object key, RunCommand msg, Duration delay) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void startTimerWithFixedDelay(
        Object key, RunCommand msg, Duration initialDelay, Duration delay) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void startTimerAtFixedRate(Object key, RunCommand msg, Duration interval) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void startTimerAtFixedRate(
        Object key, RunCommand msg, Duration initialDelay, Duration interval) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void startPeriodicTimer(Object key, RunCommand msg, Duration interval) {
      throw new UnsupportedOperationException();
    }
  }

  record Sent(String streamId, StreamCommand.AppendFrom append) {}

  final RecordedTimers timers = new RecordedTimers();
  final List<Sent> sent = new ArrayList<>();
  final RunSettings settings = RunDecisionsTest.settings(3); // window 20 ms, batches of 32
  final ChunkOutbox outbox =
      new ChunkOutbox(
          "child-1", settings, timers, () -> 1L, (id, append) -> sent.add(new Sent(id, append)), null);
  final RunState state =
      RunState.EMPTY.apply(
          new RunEvent.RunStarted("child-1", "helper", "hi", "root-1", "root-1", Json.object(), 1));

  @Test
  void theFirstChunkOpensACoalescingWindow() {
    outbox.add(state, RunChunks.runStart("hi"));
    outbox.add(state, 1, RunChunks.resync(1));
    assertEquals(List.of(), sent, "nothing sent before the window closes");
    assertEquals(Map.of("flush-chunks", Duration.ofMillis(20)), timers.active);

    outbox.flush(state, false);
    assertEquals(1, sent.size(), "one append for the window");
    assertEquals("root-1", sent.get(0).streamId(), "a sub-agent writes to its root's stream");
    List<StreamChunk> chunks = sent.get(0).append().chunks();
    assertEquals(List.of("run_start", "stream_resync"), chunks.stream().map(StreamChunk::type).toList());
    assertEquals(List.of(0, 1), chunks.stream().map(StreamChunk::step).toList());
    chunks.forEach(chunk -> assertEquals("child-1", chunk.runId()));
    chunks.forEach(chunk -> assertEquals("helper", chunk.agentType()));
    chunks.forEach(chunk -> assertEquals(StreamChunk.UNASSIGNED, chunk.seq()));
    assertFalse(sent.get(0).append().end());
    assertFalse(timers.active.containsKey("flush-chunks"), "the window is closed");
    assertEquals(Duration.ofMillis(500), timers.active.get("resend-chunks"), "re-sent unless acked");
  }

  @Test
  void aFullBatchGoesAtOnce() {
    for (int i = 0; i < settings.chunkBatchMax(); i++) {
      outbox.add(state, RunChunks.custom("c1", "tick", Json.object().put("i", i)));
    }
    assertEquals(1, sent.size());
    assertEquals(settings.chunkBatchMax(), sent.get(0).append().chunks().size());
    assertFalse(timers.active.containsKey("flush-chunks"));
  }

  @Test
  void nothingQueuedSendsNothingUnlessTheStreamEnds() {
    outbox.flush(state, false);
    assertEquals(List.of(), sent);
    outbox.flush(state, true);
    assertEquals(
        List.of(
            new Sent(
                "root-1", new StreamCommand.AppendFrom("child-1", List.of(), List.of(), true, null))),
        sent);
  }

  private List<String> types(int append) {
    return sent.get(append).append().chunks().stream().map(StreamChunk::type).toList();
  }

  private long lastKey(int append) {
    List<Long> keys = sent.get(append).append().keys();
    return keys.get(keys.size() - 1);
  }

  @Test
  void oneAppendIsInFlightUntilTheStreamAcknowledgesIt() {
    outbox.add(state, RunChunks.runStart("hi"));
    outbox.flush(state, false);
    outbox.add(state, 1, RunChunks.resync(1));
    outbox.flush(state, true);
    assertEquals(1, sent.size(), "the next waits for the acknowledgement");

    outbox.on(state, new InternalCommand.ChunksAcked(lastKey(0) - 1, false));
    assertEquals(1, sent.size(), "an answer to less than the append is an earlier one's");
    outbox.on(state, new InternalCommand.ChunksAcked(lastKey(0), false));
    assertEquals(2, sent.size());
    assertEquals(List.of("stream_resync"), types(1));
    assertTrue(sent.get(1).append().end(), "the end goes with the last chunks");
    assertTrue(lastKey(1) > lastKey(0), "keys increase");
    assertFalse(outbox.idle(), "a run with unacknowledged chunks does not passivate");
    outbox.on(state, new InternalCommand.ChunksAcked(lastKey(1), false));
    assertFalse(timers.active.containsKey("resend-chunks"), "nothing left to re-send");
    assertTrue(outbox.idle());
  }

  @Test
  void anUnacknowledgedAppendIsSentAgainWithBackoff() {
    outbox.add(state, RunChunks.runStart("hi"));
    outbox.flush(state, false);
    outbox.on(state, InternalCommand.ResendChunks.INSTANCE);
    outbox.on(state, InternalCommand.ResendChunks.INSTANCE);
    assertEquals(3, sent.size());
    assertEquals(sent.get(0), sent.get(1), "the same append, the same keys");
    assertEquals(sent.get(0), sent.get(2));
    assertEquals(Duration.ofMillis(2000), timers.active.get("resend-chunks"), "doubling");
  }

  @Test
  void theChunksOfAPersistedEventHaveKeysOfItsSequenceNumber() {
    outbox.addPersisted(
        state, 7, RunChunks.ofEvent(new RunEvent.StateUpdated(1, "c1", Json.object(), 5)));
    outbox.add(state, RunChunks.custom("c1", "tick", Json.object()));
    outbox.flush(state, false);
    assertEquals(
        List.of(ChunkOutbox.keyOf(7, 0), ChunkOutbox.keyOf(7, 1)), sent.get(0).append().keys());
  }

  /** An outbox of a run recovered with 5 events, which reads its journal into {@code readFrom}. */
  private ChunkOutbox recoveredAfterEvent5(List<Long> readFrom) {
    ChunkOutbox recovered =
        new ChunkOutbox(
            "child-1", settings, timers, () -> 5L, (id, a) -> sent.add(new Sent(id, a)), null);
    recovered.recover(state, readFrom::add);
    return recovered;
  }

  @Test
  void afterRecoveryWhatTheStreamLacksOfPersistedEventsGoesFirst() {
    List<Long> readFrom = new ArrayList<>();
    ChunkOutbox recovered = recoveredAfterEvent5(readFrom);
    assertEquals(List.of(), sent.get(0).append().chunks(), "first it asks what the stream holds");
    recovered.add(state, 2, RunChunks.resync(2));
    recovered.flush(state, false);
    assertEquals(1, sent.size(), "nothing is sent before the stream answers");

    // the stream holds the first chunk after event 3, and deltas after event 5 sent before a crash
    recovered.on(state, new InternalCommand.ChunksAcked(ChunkOutbox.keyOf(3, 0), false));
    assertEquals(List.of(3L), readFrom, "the journal is read from the event of the highest key");
    recovered.on(
        state,
        new InternalCommand.ChunksRederived(
            List.of(
                new ChunkOutbox.Persisted(
                    3, new RunEvent.StateUpdated(1, "c1", Json.object(), 5)),
                new ChunkOutbox.Persisted(
                    4, new RunEvent.StateUpdated(1, "c2", Json.object(), 5)),
                new ChunkOutbox.Persisted(5, new RunEvent.RunCompleted(Json.object(), 5)))));
    assertEquals(2, sent.size());
    assertEquals(List.of("state_patch", "stream_resync"), types(1));
    assertEquals("c2", sent.get(1).append().chunks().get(0).data().get("toolCallId").asText());
    assertEquals(
        List.of(ChunkOutbox.keyOf(4, 0), ChunkOutbox.keyOf(5, 0)), sent.get(1).append().keys());
  }

  @Test
  void anEndedStreamTakesNothingMoreSoNothingIsLeftToSend() {
    List<Long> readFrom = new ArrayList<>();
    ChunkOutbox recovered = recoveredAfterEvent5(readFrom);
    recovered.addEnd(state, RunChunks.runEnd(state));
    recovered.flush(state, false);
    recovered.on(state, new InternalCommand.ChunksAcked(-1, true));
    assertEquals(List.of(), readFrom, "nothing read again for a stream that takes nothing");
    assertEquals(1, sent.size(), "nothing sent after the question");
    assertTrue(recovered.idle());
  }

  @Test
  void afterRecoveryChunksThatCannotBeDerivedGetKeysAboveAllTheStreamHolds() {
    ChunkOutbox recovered = recoveredAfterEvent5(new ArrayList<>());
    recovered.add(state, 2, RunChunks.resync(2));
    long held = ChunkOutbox.keyOf(5, 40); // deltas of step 2 streamed before the crash
    recovered.on(state, new InternalCommand.ChunksAcked(held, false));
    recovered.on(state, new InternalCommand.ChunksRederived(List.of()));
    assertEquals(List.of(held + 1), sent.get(1).append().keys());
  }
}
