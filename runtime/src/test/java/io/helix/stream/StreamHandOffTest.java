package io.helix.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.helix.json.Json;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The stream's side of the hand-off: dedupe per origin, acknowledgements, older senders. */
class StreamHandOffTest {

  private static List<StreamChunk> chunks(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> StreamChunk.of("custom", "r", "a", 1, 0, Json.object().put("i", i)))
        .toList();
  }

  private static StreamCommand.AppendFrom append(String origin, List<Long> keys, boolean end) {
    return new StreamCommand.AppendFrom(origin, chunks(keys.size()), keys, end, null);
  }

  private static StreamState apply(StreamState state, List<StreamEvent> events) {
    for (StreamEvent event : events) {
      state =
          event instanceof StreamEvent.ChunksAppended appended
              ? state.appended(appended)
              : state.ended(1);
    }
    return state;
  }

  @Test
  void whatTheStreamHoldsOfAnOriginIsNotAppendedAgain() {
    StreamState state = apply(StreamState.EMPTY, StreamHandOff.events(StreamState.EMPTY, append("r", List.of(1L, 2L), false), 0));
    assertEquals(2, state.nextOffset());
    assertEquals(2, state.highest("r"));

    // a re-send with one more chunk: only that one, at the next offset
    List<StreamEvent> again = StreamHandOff.events(state, append("r", List.of(1L, 2L, 5L), false), 0);
    assertEquals(1, StreamHandOff.fresh(again).size());
    assertEquals(2, StreamHandOff.fresh(again).get(0).seq());
    assertEquals(2, StreamHandOff.fresh(again).get(0).data().get("i").asInt(), "the third chunk");
    state = apply(state, again);

    // a duplicate adds nothing; another origin (a sub-agent) has keys of its own
    assertEquals(List.of(), StreamHandOff.events(state, append("r", List.of(1L, 2L, 5L), false), 0));
    state = apply(state, StreamHandOff.events(state, append("child", List.of(1L), false), 0));
    assertEquals(4, state.nextOffset());
    assertEquals(
        new StreamAck("s", "r", 5, false),
        StreamHandOff.ack("s", state, append("r", List.of(), false)));
    assertEquals(
        new StreamAck("s", "child", 1, false),
        StreamHandOff.ack("s", state, append("child", List.of(), false)));
  }

  @Test
  void anEndedStreamAcknowledgesEverythingItIsSent() {
    StreamState state = apply(StreamState.EMPTY, StreamHandOff.events(StreamState.EMPTY, append("r", List.of(1L), true), 0));
    StreamCommand.AppendFrom late = append("r", List.of(1L, 7L), false);
    assertEquals(List.of(), StreamHandOff.events(state, late, 0));
    assertEquals(new StreamAck("s", "r", 7, true), StreamHandOff.ack("s", state, late));
  }

  @Test
  void appendsWithoutAnOriginAreAppendedAsTheyCome() {
    var legacy = StreamHandOff.withoutOrigin(new StreamCommand.Append(chunks(2), false));
    StreamState state = apply(StreamState.EMPTY, StreamHandOff.events(StreamState.EMPTY, legacy, 0));
    state = apply(state, StreamHandOff.events(state, legacy, 0));
    assertEquals(4, state.nextOffset());
    assertEquals(java.util.Map.of(), state.origins());
  }

  @Test
  void appendsHeldWhileNobodyWatchedAreWrittenTogetherWithoutTheirResends() {
    // r's append, a re-send of it with one chunk more (its acknowledgement is still to come), a
    // sub-agent's append, then r's next one: one write, one event per run of one origin
    StreamHandOff.Batch batch =
        StreamHandOff.events(
            StreamState.EMPTY,
            List.of(
                append("r", List.of(1L, 2L), false),
                append("r", List.of(1L, 2L, 3L), false),
                append("child", List.of(1L), false),
                append("r", List.of(4L), true)),
            0);
    assertEquals(5, batch.fresh().size(), "r's 1, 2, 3, the child's 1, r's 4");
    assertEquals(
        List.of(0L, 1L, 2L, 3L, 4L), batch.fresh().stream().map(StreamChunk::seq).toList());
    assertEquals(4, batch.events().size(), "r, child, r, the end");
    StreamEvent.ChunksAppended first = (StreamEvent.ChunksAppended) batch.events().get(0);
    assertEquals(3, first.chunks().size());
    assertEquals(3, first.originSeq());
    StreamState after = apply(StreamState.EMPTY, batch.events());
    assertEquals(4, after.highest("r"));
    assertEquals(1, after.highest("child"));
    assertEquals(true, after.ended());
  }
}
