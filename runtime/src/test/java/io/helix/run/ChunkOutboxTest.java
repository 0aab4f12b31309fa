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

  record Sent(String streamId, StreamCommand.Append append) {}

  final RecordedTimers timers = new RecordedTimers();
  final List<Sent> sent = new ArrayList<>();
  final RunSettings settings = RunDecisionsTest.settings(3); // window 20 ms, batches of 32
  final ChunkOutbox outbox =
      new ChunkOutbox("child-1", settings, timers, (id, append) -> sent.add(new Sent(id, append)));
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
    assertTrue(timers.active.isEmpty(), "the window is closed");
  }

  @Test
  void aFullBatchGoesAtOnce() {
    for (int i = 0; i < settings.chunkBatchMax(); i++) {
      outbox.add(state, RunChunks.custom("c1", "tick", Json.object().put("i", i)));
    }
    assertEquals(1, sent.size());
    assertEquals(settings.chunkBatchMax(), sent.get(0).append().chunks().size());
    assertTrue(timers.active.isEmpty());
  }

  @Test
  void nothingQueuedSendsNothingUnlessTheStreamEnds() {
    outbox.flush(state, false);
    assertEquals(List.of(), sent);
    outbox.flush(state, true);
    assertEquals(List.of(new Sent("root-1", new StreamCommand.Append(List.of(), true))), sent);
  }
}
