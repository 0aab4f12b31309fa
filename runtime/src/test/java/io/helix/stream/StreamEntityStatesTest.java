package io.helix.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.helix.agent.AgentRegistry;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.serialization.CborSerializable;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One {@link StreamEntity} at a time, spawned on its own (its shard a probe) over Pekko's in-memory
 * journal: the deleted state a retention purge leaves, a failed journal write that restarts the
 * entity rather than stopping it, the tail read back from the journal after a start, and the
 * appends held while nobody watches, written as one event when the window passes, max-chunks are
 * held, the stream ends, a subscriber comes (which then gets them, exactly) or the entity stops.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamEntityStatesTest {

  static final int TAIL = 8;

  // the node's own streams keep the default retention: its sweep leaves these entities alone
  private final TestRuntime runtime = TestRuntime.start(new AgentRegistry(), new ModelCatalog());
  private final ActorTestKit testKit = runtime.testKit;
  private final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  // the settings of the entities spawned here: they expire as soon as they end, and write each
  // append at once (but those of holding())
  private final StreamSettings settings =
      StreamSettings.fromConfig(
          TestRuntime.config(
              """
              helix.stream {
                tail-size = %d
                retention = 0s
                persist-failure-backoff { min-backoff = 50ms, max-backoff = 200ms }
                unwatched-coalescing.window = 0s
              }
              """
                  .formatted(TAIL)));
  // the shard of the entities spawned next: each test has its own
  private TestProbe<ClusterSharding.ShardCommand> shard;
  private int ids;

  @AfterAll
  void stop() {
    runtime.close();
  }

  private String newStream() {
    shard = testKit.createTestProbe();
    return "entity-states-" + ++ids;
  }

  private ActorRef<StreamCommand> spawn(String streamId) {
    return spawn(streamId, settings);
  }

  private ActorRef<StreamCommand> spawn(String streamId, StreamSettings settings) {
    return testKit.spawn(
        StreamEntity.create(
            new EntityContext<>(StreamEntity.TYPE_KEY, streamId, shard.ref()), settings));
  }

  /** Chunks {@code first} to {@code first + count - 1}, each saying {@code label + n}. */
  private static List<StreamChunk> chunks(int first, int count, String label) {
    List<StreamChunk> chunks = new ArrayList<>();
    for (int n = first; n < first + count; n++) {
      chunks.add(
          StreamChunk.of(
              ChunkTypes.TEXT_DELTA, "run", "test", 1, n, Json.object().put("delta", label + n)));
    }
    return chunks;
  }

  private static List<StreamChunk> chunks(int first, int count) {
    return chunks(first, count, "c");
  }

  private StreamStatus status(ActorRef<StreamCommand> stream) {
    TestProbe<StreamStatus> probe = testKit.createTestProbe();
    stream.tell(new StreamCommand.GetStatus(probe.ref()));
    return probe.receiveMessage();
  }

  private static void assertChunks(long from, long to, List<StreamChunk> chunks) {
    assertEquals(
        LongStream.range(from, to).boxed().toList(),
        chunks.stream().map(StreamChunk::seq).toList());
    for (StreamChunk chunk : chunks) {
      assertEquals("c" + chunk.seq(), chunk.data().get("delta").asText());
    }
  }

  /**
   * Stream {@code streamId}, whose {@code count} chunks were appended in one go and then it ended.
   */
  private ActorRef<StreamCommand> endedStream(String streamId, int count) {
    ActorRef<StreamCommand> stream = spawn(streamId);
    stream.tell(new StreamCommand.Append(chunks(0, count), true));
    assertTrue(status(stream).ended());
    return stream;
  }

  /** Expires the stream, and waits until it says it is done. */
  private void expire(ActorRef<StreamCommand> stream) {
    TestProbe<Done> expired = testKit.createTestProbe();
    stream.tell(new StreamCommand.Expire(expired.ref()));
    expired.expectMessage(Done.getInstance());
  }

  /** The tombstone, which the journal of the stream holds alone. */
  private StreamEvent.StreamDeleted onlyTombstone(String persistenceId) {
    List<Object> left = journal.persistedInStorage(persistenceId);
    assertEquals(1, left.size(), left.toString());
    return assertInstanceOf(StreamEvent.StreamDeleted.class, left.get(0));
  }

  private void expectPassivate(ActorRef<StreamCommand> stream) {
    ClusterSharding.Passivate<?> passivate =
        shard.expectMessageClass(ClusterSharding.Passivate.class);
    assertEquals(stream, passivate.entity());
  }

  // ---- the deleted state

  @Test
  void anExpiredStreamIsADeletedStreamWhoseJournalHoldsOnlyItsTombstone() {
    String id = newStream();
    String persistenceId = StreamEntity.persistenceId(id);
    ActorRef<StreamCommand> stream = endedStream(id, 5);

    expire(stream);
    expectPassivate(stream);
    StreamEvent.StreamDeleted tombstone = onlyTombstone(persistenceId);
    assertEquals(5, tombstone.nextOffset());

    // readers are told it is gone, writers are ignored
    TestProbe<StreamUpdate> reader = testKit.createTestProbe();
    stream.tell(new StreamCommand.Subscribe(0, reader.ref(), 7));
    StreamUpdate.Deleted deleted = reader.expectMessageClass(StreamUpdate.Deleted.class);
    assertEquals(7, deleted.subscription());
    assertEquals(tombstone.timestamp(), deleted.deletedAt());
    stream.tell(new StreamCommand.Append(chunks(5, 1), true));
    StreamStatus status = status(stream);
    assertTrue(status.deleted(), status.toString());
    assertEquals(5, status.nextOffset());
    assertEquals(0, status.chunksInMemory());

    // expiring it again deletes nothing more and writes nothing
    expire(stream);
    assertEquals(tombstone, onlyTombstone(persistenceId));

    // and it wakes up deleted
    testKit.stop(stream);
    ActorRef<StreamCommand> again = spawn(id);
    StreamStatus recovered = status(again);
    assertTrue(recovered.deleted(), recovered.toString());
    assertEquals(status.deletedAt(), recovered.deletedAt());
    assertEquals(5, recovered.nextOffset());
    again.tell(new StreamCommand.Subscribe(3, reader.ref(), 8));
    assertEquals(8, reader.expectMessageClass(StreamUpdate.Deleted.class).subscription());
  }

  @Test
  void aDeletionThatFailedIsDoneByTheNextExpire() {
    String id = newStream();
    String persistenceId = StreamEntity.persistenceId(id);
    ActorRef<StreamCommand> stream = endedStream(id, 4);

    journal.failNextDelete(persistenceId);
    expire(stream);
    expectPassivate(stream);
    // the tombstone stands, the chunks are still there
    assertEquals(3, journal.persistedInStorage(persistenceId).size());
    assertTrue(status(stream).deleted());

    expire(stream);
    onlyTombstone(persistenceId);
  }

  @Test
  void anOpenStreamDoesNotExpire() {
    String id = newStream();
    ActorRef<StreamCommand> stream = spawn(id);
    stream.tell(new StreamCommand.Append(chunks(0, 2), false));
    expire(stream);
    StreamStatus status = status(stream);
    assertFalse(status.deleted() || status.ended(), status.toString());
    assertEquals(1, journal.persistedInStorage(StreamEntity.persistenceId(id)).size());
  }

  // ---- a failed write

  @Test
  void aFailedWriteRestartsTheEntityWhichKeepsItsSubscribers() {
    String id = newStream();
    String persistenceId = StreamEntity.persistenceId(id);
    ActorRef<StreamCommand> stream = spawn(id);
    stream.tell(new StreamCommand.Append(chunks(0, 3), false));
    TestProbe<StreamUpdate> reader = testKit.createTestProbe();
    stream.tell(new StreamCommand.Subscribe(0, reader.ref(), 1));
    StreamUpdate.Live live = reader.expectMessageClass(StreamUpdate.Live.class);
    assertChunks(0, 3, live.stored());

    journal.failNextPersisted(persistenceId);
    stream.tell(new StreamCommand.Append(chunks(3, 2, "lost"), false));
    stream.tell(new StreamCommand.Append(chunks(3, 2), false));
    // the same entity, restarted after its backoff: its subscriber gets the next write, and
    // nothing of the failed one
    StreamUpdate.Chunks next = reader.expectMessageClass(StreamUpdate.Chunks.class);
    assertEquals(1, next.subscription());
    assertChunks(3, 5, next.chunks());
    StreamStatus status = status(stream);
    assertEquals(5, status.nextOffset());
    assertEquals(1, status.subscribers());
    assertEquals(2, journal.persistedInStorage(persistenceId).size());

    stream.tell(new StreamCommand.Append(List.of(), true));
    assertEquals(5, reader.expectMessageClass(StreamUpdate.Ended.class).nextOffset());
  }

  // ---- the tail after a start

  @Test
  void afterAStartTheTailIsReadFromTheJournalForTheFirstSubscriberThatNeedsIt() {
    String id = newStream();
    ActorRef<StreamCommand> stream = spawn(id);
    for (int batch = 0; batch < 10; batch++) {
      stream.tell(new StreamCommand.Append(chunks(batch * 3, 3), false));
    }
    assertEquals(30, status(stream).nextOffset());
    testKit.stop(stream);

    ActorRef<StreamCommand> again = spawn(id);
    assertEquals(0, status(again).chunksInMemory(), "read only when needed");
    TestProbe<StreamUpdate> first = testKit.createTestProbe();
    TestProbe<StreamUpdate> second = testKit.createTestProbe();
    again.tell(new StreamCommand.Subscribe(25, first.ref(), 1));
    again.tell(new StreamCommand.Subscribe(28, second.ref(), 1));
    // both from memory, as before the stop
    assertChunks(25, 30, first.expectMessageClass(StreamUpdate.Live.class).stored());
    assertChunks(28, 30, second.expectMessageClass(StreamUpdate.Live.class).stored());
    int inMemory = status(again).chunksInMemory();
    assertTrue(inMemory >= TAIL && inMemory < TAIL + 3, "a bounded tail: " + inMemory);

    // older than the tail: from the journal
    TestProbe<StreamUpdate> old = testKit.createTestProbe();
    again.tell(new StreamCommand.Subscribe(2, old.ref(), 1));
    assertEquals(1, old.expectMessageClass(StreamUpdate.CatchUp.class).fromSequenceNr());

    // and live from there
    again.tell(new StreamCommand.Append(chunks(30, 2), true));
    assertChunks(30, 32, first.expectMessageClass(StreamUpdate.Chunks.class).chunks());
    assertChunks(30, 32, second.expectMessageClass(StreamUpdate.Chunks.class).chunks());
    assertEquals(32, first.expectMessageClass(StreamUpdate.Ended.class).nextOffset());
  }

  // ---- the protocol

  @Test
  void onlyThePublicCommandsAreSerializable() {
    for (Class<?> type : StreamCommand.class.getPermittedSubclasses()) {
      if (type == StreamEntity.InternalCommand.class) {
        for (Class<?> internal : type.getPermittedSubclasses()) {
          assertFalse(CborSerializable.class.isAssignableFrom(internal), internal.getName());
        }
      } else {
        assertTrue(CborSerializable.class.isAssignableFrom(type), type.getName());
      }
    }
  }

  @Test
  void theBackoffAfterAFailedWriteHasADefault() {
    StreamSettings.Backoff backoff =
        StreamSettings.fromConfig(ConfigFactory.load()).persistFailureBackoff();
    assertEquals(
        new StreamSettings.Backoff(Duration.ofMillis(500), Duration.ofSeconds(10), 0.2), backoff);
    assertEquals(Duration.ofMillis(50), settings.persistFailureBackoff().minBackoff());
  }

  // ---- appends held while nobody watches (HeldAppends)

  static final int MAX_HELD = 10;

  /** Settings that hold appends for {@code window}, at most {@link #MAX_HELD} chunks. */
  private static StreamSettings holding(String window) {
    return StreamSettings.fromConfig(
        TestRuntime.config(
            "helix.stream.unwatched-coalescing { window = %s, max-chunks = %d }"
                .formatted(window, MAX_HELD)));
  }

  /** The journal holds one event, appending chunks {@code 0..count-1}. */
  private void assertOneWrite(String streamId, int count) {
    List<Object> events = journal.persistedInStorage(StreamEntity.persistenceId(streamId));
    assertEquals(1, events.size(), events.toString());
    StreamEvent.ChunksAppended appended =
        assertInstanceOf(StreamEvent.ChunksAppended.class, events.get(0));
    assertChunks(0, count, appended.chunks());
  }

  @Test
  void aSubscriberThatComesGetsTheHeldChunksWrittenAsOneEvent() {
    String id = newStream();
    ActorRef<StreamCommand> stream = spawn(id, holding("1h"));
    for (int batch = 0; batch < 3; batch++) {
      stream.tell(new StreamCommand.Append(chunks(batch * 2, 2), false));
    }
    assertEquals(0, status(stream).nextOffset(), "held: nothing written, no offset given");
    assertTrue(journal.persistedInStorage(StreamEntity.persistenceId(id)).isEmpty());

    TestProbe<StreamUpdate> reader = testKit.createTestProbe();
    stream.tell(new StreamCommand.Subscribe(0, reader.ref(), 1));
    assertTrue(reader.expectMessageClass(StreamUpdate.Live.class).stored().isEmpty());
    assertChunks(0, 6, reader.expectMessageClass(StreamUpdate.Chunks.class).chunks());
    assertOneWrite(id, 6);

    // watched now: each append is written at once
    stream.tell(new StreamCommand.Append(chunks(6, 1), false));
    assertChunks(6, 7, reader.expectMessageClass(StreamUpdate.Chunks.class).chunks());
    assertEquals(2, journal.persistedInStorage(StreamEntity.persistenceId(id)).size());
  }

  @Test
  void theEndWritesTheHeldChunksWithIt() {
    String id = newStream();
    ActorRef<StreamCommand> stream = spawn(id, holding("1h"));
    stream.tell(new StreamCommand.Append(chunks(0, 3), false));
    stream.tell(new StreamCommand.Append(chunks(3, 2), true));
    StreamStatus status = status(stream);
    assertTrue(status.ended());
    assertEquals(5, status.nextOffset());
    List<Object> events = journal.persistedInStorage(StreamEntity.persistenceId(id));
    assertEquals(2, events.size(), events.toString());
    assertChunks(0, 5, ((StreamEvent.ChunksAppended) events.get(0)).chunks());
    assertInstanceOf(StreamEvent.StreamEnded.class, events.get(1));
  }

  @Test
  void maxChunksHeldAreWrittenAtOnce() {
    String id = newStream();
    ActorRef<StreamCommand> stream = spawn(id, holding("1h"));
    stream.tell(new StreamCommand.Append(chunks(0, MAX_HELD - 1), false));
    assertEquals(0, status(stream).nextOffset());
    stream.tell(new StreamCommand.Append(chunks(MAX_HELD - 1, 2), false));
    assertEquals(MAX_HELD + 1, status(stream).nextOffset());
    assertOneWrite(id, MAX_HELD + 1);
  }

  @Test
  void aStopWritesTheHeldChunksFirst() {
    String id = newStream();
    ActorRef<StreamCommand> stream = spawn(id, holding("1h"));
    stream.tell(new StreamCommand.Append(chunks(0, 4), false));
    stream.tell(StreamCommand.Stop.INSTANCE);
    testKit.createTestProbe().expectTerminated(stream, Duration.ofSeconds(10));
    assertOneWrite(id, 4);
    assertEquals(4, status(spawn(id, holding("1h"))).nextOffset(), "recovered from the journal");
  }

  @Test
  void theWindowWritesWhatIsHeld() {
    String id = newStream();
    ActorRef<StreamCommand> stream = spawn(id, holding("100ms"));
    stream.tell(new StreamCommand.Append(chunks(0, 2), false));
    stream.tell(new StreamCommand.Append(chunks(2, 2), false));
    TestRuntime.awaitCondition(
        () -> !journal.persistedInStorage(StreamEntity.persistenceId(id)).isEmpty(),
        Duration.ofSeconds(10));
    assertOneWrite(id, 4);
    assertEquals(4, status(stream).nextOffset());
  }
}
