package io.helix.stream;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.helix.agent.AgentRegistry;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The stream entity and its subscribers on a one-node runtime with the in-memory journal and its
 * read journal: exact catch-up from the journal then live, per-subscriber offsets, a bounded tail,
 * a subscriber that survives its entity's stop, slow subscribers, and retention.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamEntityTest {

  static final int TAIL = 16;
  static final int BUFFER = 64;

  private final TestRuntime runtime =
      TestRuntime.start(
          new AgentRegistry(),
          new ModelCatalog(),
          """
          helix.stream {
            tail-size = %d
            subscriber-buffer = %d
            snapshot-every = 7
            subscribe-timeout = 1s
          }
          """
              .formatted(TAIL, BUFFER));
  // a node whose streams expire a second after they end
  private final TestRuntime expiring =
      TestRuntime.start(
          new AgentRegistry(),
          new ModelCatalog(),
          """
          helix.stream {
            retention = 1s
            retention-sweep-interval = 200ms
            subscribe-timeout = 1s
          }
          """);
  private ActorSystem<?> system = runtime.testKit.system();
  private Streams streams = Streams.start(system);
  private final AtomicInteger ids = new AtomicInteger();

  @AfterAll
  void stop() {
    runtime.close();
    expiring.close();
  }

  /** Runs {@code test} against the node whose streams expire. */
  private void onExpiringNode(ThrowingRunnable test) throws Exception {
    ActorSystem<?> usual = system;
    Streams usualStreams = streams;
    system = expiring.testKit.system();
    streams = Streams.start(system);
    try {
      test.run();
    } finally {
      system = usual;
      streams = usualStreams;
    }
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  private String newStream() {
    return "stream-" + ids.incrementAndGet();
  }

  private static StreamChunk chunk(String streamId, int n) {
    return StreamChunk.of(
        ChunkTypes.TEXT_DELTA, streamId, "test", 1, n, Json.object().put("delta", "c" + n));
  }

  /** Appends {@code count} chunks numbered from {@code first} in one batch. */
  private void append(String streamId, int first, int count, boolean end) {
    List<StreamChunk> batch = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      batch.add(chunk(streamId, first + i));
    }
    streams.append(streamId, batch, end);
  }


  private CompletionStage<List<StreamChunk>> collect(String streamId, long from) {
    return streams.subscribe(streamId, from).runWith(Sink.seq(), system);
  }

  /** The chunks are exactly offsets from..to-1, in order, each with its content. */
  private static void assertExactly(long from, long to, List<StreamChunk> chunks) {
    assertEquals(
        LongStream.range(from, to).boxed().toList(),
        chunks.stream().map(StreamChunk::seq).toList(),
        "offsets");
    for (StreamChunk c : chunks) {
      assertEquals("c" + c.seq(), c.data().get("delta").asText(), "content of " + c.seq());
    }
  }

  private void awaitStatus(String streamId, java.util.function.Predicate<StreamStatus> condition)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    StreamStatus status = null;
    while (status == null || !condition.test(status)) {
      if (System.nanoTime() > deadline) {
        fail("status never met the condition: " + status);
      }
      Thread.sleep(20);
      try {
        status = await(streams.status(streamId));
      } catch (ExecutionException e) {
        status = null; // the entity was stopping: ask again
      }
    }
  }

  @Test
  void aSubscriberBeyondTheEndGetsNothingBelowItsOffset() throws Exception {
    String id = newStream();
    append(id, 0, 3, false);
    awaitStatus(id, s -> s.nextOffset() == 3);
    CompletionStage<List<StreamChunk>> ahead = collect(id, 5);
    awaitStatus(id, s -> s.subscribers() == 1);
    append(id, 3, 10, true);
    assertExactly(5, 13, await(ahead));
    assertExactly(0, 13, await(collect(id, 0)));
    assertExactly(13, 13, await(collect(id, 20)));
  }

  @Test
  void subscribersCatchUpFromTheJournalThenGoLiveWithoutGapOrDuplicate() throws Exception {
    String id = newStream();
    Random random = new Random(42);
    int total = 0;
    List<Long> starts = new ArrayList<>();
    List<CompletionStage<List<StreamChunk>>> results = new ArrayList<>();
    // appends and subscriptions interleaved: many subscribers start far behind the tail,
    // and the writer keeps going while they read the journal and switch to live
    for (int batch = 0; batch < 400; batch++) {
      int size = 1 + random.nextInt(6);
      append(id, total, size, false);
      total += size;
      if (batch % 10 == 0) {
        long from = random.nextInt(total + 3);
        starts.add(from);
        results.add(collect(id, from));
      }
      if (batch % 50 == 0) {
        Thread.sleep(5); // let some appends become durable before the next subscribers
      }
    }
    append(id, total, 0, true);
    for (int i = 0; i < results.size(); i++) {
      assertExactly(Math.min(starts.get(i), total), total, await(results.get(i)));
    }
    StreamStatus status = await(streams.status(id));
    assertEquals(total, status.nextOffset());
    assertTrue(status.ended());
    assertTrue(
        status.chunksInMemory() < TAIL + 6, "memory holds a bounded tail: " + status);
    // a subscriber after the end, from the start: all of it from the journal
    assertExactly(0, total, await(collect(id, 0)));
  }

  @Test
  void aSubscriberFollowsItsStreamWhenTheEntityStops() throws Exception {
    String id = newStream();
    append(id, 0, 5, false);
    CompletionStage<List<StreamChunk>> all = collect(id, 0);
    awaitStatus(id, s -> s.subscribers() == 1);
    for (int round = 0; round < 3; round++) {
      // as on a hand-off or crash: the entity stops; the next message starts it anew
      ClusterSharding.get(system)
          .entityRefFor(StreamEntity.TYPE_KEY, id)
          .tell(StreamCommand.Stop.INSTANCE);
      // the subscriber comes back by itself
      awaitStatus(id, s -> s.subscribers() == 1);
      append(id, 5 + round * 10, 10, false);
    }
    append(id, 35, 1, true);
    assertExactly(0, 36, await(all));
  }

  @Test
  void aSubscriberThatDoesNotReadIsDisconnectedWithItsResumeOffset() throws Exception {
    String id = newStream();
    // a consumer that never pulls: Sink.queue fills its small buffer, then backpressures
    SinkQueueWithCancel<StreamChunk> stalled =
        streams.subscribe(id, 0).runWith(Sink.queue(), system);
    CompletionStage<List<StreamChunk>> reader = collect(id, 0);
    awaitStatus(id, s -> s.subscribers() == 2);
    int total = 0;
    for (int batch = 0; batch < 100; batch++) {
      append(id, total, 5, false);
      total += 5;
    }
    append(id, total, 0, true);
    // the reader and the writer were not held up
    assertExactly(0, total, await(reader));

    List<StreamChunk> got = new ArrayList<>();
    SubscriberTooSlowException slow = null;
    while (slow == null) {
      try {
        Optional<StreamChunk> next = await(stalled.pull());
        if (next.isEmpty()) {
          fail("the stalled subscriber was not disconnected; it got " + got.size());
        }
        got.add(next.get());
      } catch (ExecutionException e) {
        slow = assertInstanceOf(SubscriberTooSlowException.class, e.getCause());
      }
    }
    assertExactly(0, got.size(), got);
    assertEquals(got.size(), slow.resumeOffset(), "resume right after the last chunk it got");
    assertTrue(slow.resumeOffset() < total);
    // resuming there gives exactly the rest
    assertExactly(slow.resumeOffset(), total, await(collect(id, slow.resumeOffset())));
  }

  @Test
  void anEndedStreamIsDeletedAfterItsRetention() throws Exception {
    onExpiringNode(this::endedStreamIsDeleted);
  }

  private void endedStreamIsDeleted() throws Exception {
    String id = newStream();
    int total = 0;
    for (int batch = 0; batch < 20; batch++) {
      append(id, total, 3, false);
      total += 3;
    }
    append(id, total, 0, true);
    assertExactly(0, total, await(collect(id, 0)));
    awaitStatus(id, StreamStatus::deleted);
    StreamStatus status = await(streams.status(id));
    assertEquals(total, status.nextOffset());
    assertTrue(status.endedAt() > 0 && status.deletedAt() >= status.endedAt(), status.toString());

    ExecutionException gone = null;
    try {
      await(collect(id, 0));
    } catch (ExecutionException e) {
      gone = e;
    }
    assertInstanceOf(StreamDeletedException.class, gone == null ? null : gone.getCause());

    // the journal no longer holds its chunks
    PersistenceTestKitReadJournal journal =
        PersistenceQuery.get(Adapter.toClassic(system))
            .getReadJournalFor(
                PersistenceTestKitReadJournal.class, PersistenceTestKitReadJournal.Identifier());
    awaitCondition(
        () -> {
          List<EventEnvelope> left =
              journal
                  .currentEventsByPersistenceId(StreamEntity.persistenceId(id), 0, Long.MAX_VALUE)
                  .runWith(Sink.seq(), system)
                  .toCompletableFuture()
                  .join();
          return left.stream().noneMatch(e -> e.event() instanceof StreamEvent.ChunksAppended);
        });
    // and it stays deleted when it wakes up again
    ClusterSharding.get(system)
        .entityRefFor(StreamEntity.TYPE_KEY, id)
        .tell(StreamCommand.Stop.INSTANCE);
    awaitStatus(id, StreamStatus::deleted);
  }

  @Test
  void anOpenStreamIsNotDeleted() throws Exception {
    onExpiringNode(this::openStreamIsNotDeleted);
  }

  private void openStreamIsNotDeleted() throws Exception {
    String id = newStream();
    append(id, 0, 2, false);
    awaitStatus(id, s -> s.nextOffset() == 2);
    Thread.sleep(1500); // longer than the retention, several sweeps
    StreamStatus status = await(streams.status(id));
    assertTrue(!status.deleted() && !status.ended(), status.toString());
    append(id, 2, 1, true);
    assertExactly(0, 3, await(collect(id, 0)));
  }

  @Test
  void theOffsetIndexPointsAtOrBeforeEveryOffset() {
    Random random = new Random(7);
    StreamState state = StreamState.EMPTY;
    List<long[]> appends = new ArrayList<>(); // {first offset, sequence nr}
    for (int i = 0; i < 5000; i++) {
      int size = 1 + random.nextInt(40);
      long first = state.nextOffset();
      state = state.appended(new StreamEvent.ChunksAppended(Collections.nCopies(size, (StreamChunk) null)));
      appends.add(new long[] {first, state.events()});
      if (random.nextInt(50) == 0) {
        state = new StreamState(
            state.nextOffset(), state.events() + 1, false, 0, false, 0, state.index());
      }
    }
    assertTrue(state.index().offsets().length <= StreamState.OffsetIndex.MAX_ENTRIES);
    for (int probe = 0; probe < 2000; probe++) {
      long offset = random.nextLong(state.nextOffset());
      long sequenceNr = state.index().sequenceNrFor(offset);
      // the append at that sequence number starts at or before the offset
      long[] hit =
          appends.stream().filter(a -> a[1] == sequenceNr).findFirst().orElse(new long[] {0, 1});
      assertTrue(hit[0] <= offset, "seqNr " + sequenceNr + " starts after offset " + offset);
    }
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition) {
    TestRuntime.awaitCondition(condition, Duration.ofSeconds(20));
  }
}
