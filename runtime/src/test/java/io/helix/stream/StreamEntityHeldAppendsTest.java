package io.helix.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.AgentRegistry;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
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
 * A {@link StreamEntity} without subscribers holds its appends ({@link HeldAppends}) and writes
 * them as one journal event: when its window passes, when it holds max-chunks, when the stream
 * ends, when a subscriber comes (which then gets them, exactly), and before it stops. One entity
 * at a time over Pekko's in-memory journal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamEntityHeldAppendsTest {

  static final int MAX_CHUNKS = 10;

  private final TestRuntime runtime = TestRuntime.start(new AgentRegistry(), new ModelCatalog());
  private final ActorTestKit testKit = runtime.testKit;
  private final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private int ids;

  @AfterAll
  void stop() {
    runtime.close();
  }

  private static StreamSettings settings(String window) {
    return StreamSettings.fromConfig(
        TestRuntime.config(
            "helix.stream.unwatched-coalescing { window = %s, max-chunks = %d }"
                .formatted(window, MAX_CHUNKS)));
  }

  // held until something else writes them
  private final StreamSettings holding = settings("1h");

  private String newStream() {
    return "held-appends-" + ++ids;
  }

  private ActorRef<StreamCommand> spawn(String streamId, StreamSettings settings) {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    return testKit.spawn(
        StreamEntity.create(
            new EntityContext<>(StreamEntity.TYPE_KEY, streamId, shard.ref()), settings));
  }

  private static List<StreamChunk> chunks(int first, int count) {
    List<StreamChunk> chunks = new ArrayList<>();
    for (int n = first; n < first + count; n++) {
      chunks.add(
          StreamChunk.of(
              ChunkTypes.TEXT_DELTA, "run", "test", 1, n, Json.object().put("delta", "c" + n)));
    }
    return chunks;
  }

  private StreamStatus status(ActorRef<StreamCommand> stream) {
    TestProbe<StreamStatus> probe = testKit.createTestProbe();
    stream.tell(new StreamCommand.GetStatus(probe.ref()));
    return probe.receiveMessage();
  }

  private List<Object> written(String streamId) {
    return journal.persistedInStorage(StreamEntity.persistenceId(streamId));
  }

  /** The journal holds one event appending chunks {@code 0..count-1}, in order. */
  private void assertOneWrite(String streamId, int count) {
    List<Object> events = written(streamId);
    assertEquals(1, events.size(), events.toString());
    StreamEvent.ChunksAppended appended =
        assertInstanceOf(StreamEvent.ChunksAppended.class, events.get(0));
    assertOffsets(0, count, appended.chunks());
  }

  private static void assertOffsets(long from, long to, List<StreamChunk> chunks) {
    assertEquals(
        LongStream.range(from, to).boxed().toList(),
        chunks.stream().map(StreamChunk::seq).toList());
    for (StreamChunk chunk : chunks) {
      assertEquals("c" + chunk.seq(), chunk.data().get("delta").asText());
    }
  }

  @Test
  void aSubscriberThatComesGetsTheHeldChunksWrittenAsOneEvent() {
    String id = newStream();
    ActorRef<StreamCommand> stream = spawn(id, holding);
    for (int batch = 0; batch < 3; batch++) {
      stream.tell(new StreamCommand.Append(chunks(batch * 2, 2), false));
    }
    StreamStatus before = status(stream);
    assertEquals(0, before.nextOffset(), "held: nothing written, no offset given");
    assertTrue(written(id).isEmpty());

    TestProbe<StreamUpdate> reader = testKit.createTestProbe();
    stream.tell(new StreamCommand.Subscribe(0, reader.ref(), 1));
    assertTrue(reader.expectMessageClass(StreamUpdate.Live.class).stored().isEmpty());
    assertOffsets(0, 6, reader.expectMessageClass(StreamUpdate.Chunks.class).chunks());
    assertOneWrite(id, 6);

    // watched now: each append is written at once
    stream.tell(new StreamCommand.Append(chunks(6, 1), false));
    assertOffsets(6, 7, reader.expectMessageClass(StreamUpdate.Chunks.class).chunks());
    assertEquals(2, written(id).size());
  }

  @Test
  void theEndWritesTheHeldChunksWithIt() {
    String id = newStream();
    ActorRef<StreamCommand> stream = spawn(id, holding);
    stream.tell(new StreamCommand.Append(chunks(0, 3), false));
    stream.tell(new StreamCommand.Append(chunks(3, 2), true));
    StreamStatus status = status(stream);
    assertTrue(status.ended());
    assertEquals(5, status.nextOffset());
    List<Object> events = written(id);
    assertEquals(2, events.size(), events.toString());
    assertOffsets(0, 5, ((StreamEvent.ChunksAppended) events.get(0)).chunks());
    assertInstanceOf(StreamEvent.StreamEnded.class, events.get(1));
  }

  @Test
  void maxChunksHeldAreWrittenAtOnce() {
    String id = newStream();
    ActorRef<StreamCommand> stream = spawn(id, holding);
    stream.tell(new StreamCommand.Append(chunks(0, MAX_CHUNKS - 1), false));
    assertEquals(0, status(stream).nextOffset());
    stream.tell(new StreamCommand.Append(chunks(MAX_CHUNKS - 1, 2), false));
    assertEquals(MAX_CHUNKS + 1, status(stream).nextOffset());
    assertOneWrite(id, MAX_CHUNKS + 1);
  }

  @Test
  void aStopWritesTheHeldChunksFirst() {
    String id = newStream();
    ActorRef<StreamCommand> stream = spawn(id, holding);
    stream.tell(new StreamCommand.Append(chunks(0, 4), false));
    TestProbe<Object> watcher = testKit.createTestProbe();
    stream.tell(StreamCommand.Stop.INSTANCE);
    watcher.expectTerminated(stream, Duration.ofSeconds(10));
    assertOneWrite(id, 4);
    assertEquals(4, status(spawn(id, holding)).nextOffset(), "recovered from the journal");
  }

  @Test
  void theWindowWritesWhatIsHeld() {
    String id = newStream();
    ActorRef<StreamCommand> stream = spawn(id, settings("100ms"));
    stream.tell(new StreamCommand.Append(chunks(0, 2), false));
    stream.tell(new StreamCommand.Append(chunks(2, 2), false));
    TestRuntime.awaitCondition(() -> !written(id).isEmpty(), Duration.ofSeconds(10));
    assertOneWrite(id, 4);
    assertEquals(4, status(stream).nextOffset());
  }
}
