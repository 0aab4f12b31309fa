package io.helix.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.helix.json.Json;
import io.helix.serialization.CborSerializable;
import io.helix.testkit.TestRuntime;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Stream events and snapshots written before the hand-off protocol read with "no origin": through
 * the journal's own serializer (Jackson CBOR), from the bytes of the older shapes, and round trip
 * with the new fields.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamStateCompatibilityTest {

  private final ActorTestKit testKit = ActorTestKit.create("compat", TestRuntime.config(""));
  private final Serialization serialization =
      SerializationExtension.get(testKit.system().classicSystem());

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  /** A snapshot before the hand-off: no origins. */
  record OldStreamState(
      long nextOffset,
      long events,
      boolean ended,
      long endedAt,
      boolean deleted,
      long deletedAt,
      StreamState.OffsetIndex index)
      implements CborSerializable {}

  /** An event before the hand-off: chunks only. */
  record OldChunksAppended(List<StreamChunk> chunks) implements CborSerializable {}

  private <T> T readAs(Object old, Class<T> type) {
    byte[] bytes = serialization.serialize(old).get();
    int serializer = serialization.findSerializerFor(old).identifier();
    return type.cast(serialization.deserialize(bytes, serializer, type.getName()).get());
  }

  private <T> T roundTrip(T value, Class<T> type) {
    return readAs(value, type);
  }

  @Test
  void anOlderSnapshotHasNoOrigins() {
    StreamState state =
        readAs(
            new OldStreamState(7, 3, false, 0, false, 0, StreamState.OffsetIndex.EMPTY),
            StreamState.class);
    assertEquals(7, state.nextOffset());
    assertEquals(Map.of(), state.origins());
    assertEquals(-1, state.highest("run-1"));

    StreamState withOrigins =
        state.appended(
            new StreamEvent.ChunksAppended(
                List.of(StreamChunk.of("custom", "run-1", "a", 1, 0, Json.object()).withSeq(7)),
                "run-1",
                42));
    assertEquals(Map.of("run-1", 42L), roundTrip(withOrigins, StreamState.class).origins());
  }

  @Test
  void anOlderAppendHasNoOrigin() {
    StreamChunk chunk = StreamChunk.of("custom", "run-1", "a", 1, 0, Json.object()).withSeq(0);
    StreamEvent.ChunksAppended appended =
        readAs(new OldChunksAppended(List.of(chunk)), StreamEvent.ChunksAppended.class);
    assertEquals(List.of(chunk), appended.chunks());
    assertNull(appended.origin());
    assertEquals(StreamState.EMPTY.highest("run-1"), StreamState.EMPTY.appended(appended).highest("run-1"));
  }
}
