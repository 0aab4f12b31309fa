package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.AgentHandle;
import io.helix.json.Json;
import io.helix.model.ScriptedModel;
import io.helix.stream.ChunkTypes;
import io.helix.stream.StreamChunk;
import io.helix.stream.Streams;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The subscribers of a stream on one node share one subscription to the stream's entity and each
 * chunk's wire forms ({@link StreamHub}): over real SSE and WebSocket connections on loopback, the
 * entity counts one subscriber while many are served, each chunk's SSE event and WebSocket frame
 * are rendered once, a client that stops reading is cut off at its own offset while the others go
 * on, and reading from an offset (in the hub, or before it) is exact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamHubTest {

  static final int BUFFER = 256;
  static final int STEADY_DELTAS = 2000;

  private final GatedModel steady =
      new GatedModel(TestServer.words(STEADY_DELTAS, Duration.ofMillis(1)));

  // a run whose model never answers: its stream is written to by the test itself
  private final GatedModel silent =
      new GatedModel(new ScriptedModel(request -> ScriptedModel.answer("never")));

  private final TestServer server =
      new TestServer(
          TestServer.cutsOffAfter(BUFFER),
          agents ->
              agents
                  .register(TestAgents.adder("steady", 2).withModel("steady:test"))
                  .register(TestAgents.adder("holder", 2).withModel("silent:test")),
          models -> models.register("steady", steady).register("silent", silent));

  private final HttpClient client = HttpClient.newHttpClient();

  @AfterAll
  void stop() {
    silent.gate.complete(null);
    server.close();
  }

  private StreamHubs hubs() {
    return server.api.hubs();
  }

  @Test
  void oneSubscriptionServesEverySubscriberAndEachChunkIsRenderedOnce() throws Exception {
    AgentHandle run = hold();
    String streamId = run.streamId();
    long from = nextOffset(run);
    long upstreams = hubs().upstreams();
    long renders = hubs().renders();

    List<WsSubscriber> sockets = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      WsSubscriber socket = new WsSubscriber(from);
      sockets.add(socket);
      WsSubscriber.connect(client, server.base, streamId, from, socket).get(10, TimeUnit.SECONDS);
    }
    List<SseStream> events = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      events.add(
          SseStream.open(
              server.client,
              server.request("/agent/stream/" + streamId + "?from=" + from).GET().build()));
    }
    TestRuntime.awaitCondition(
        () -> hubs().localSubscribers(streamId) == 9, Duration.ofSeconds(20));
    assertEquals(1, run.streamStatus().toCompletableFuture().get().subscribers(), "one upstream");
    assertEquals(upstreams + 1, hubs().upstreams());

    append(streamId, 200);
    run.abort("done").toCompletableFuture().get(10, TimeUnit.SECONDS);

    List<StreamChunk> chunks = chunks(run, from);
    assertTrue(chunks.size() > 200, "the appended chunks and the end: " + chunks.size());
    for (WsSubscriber socket : sockets) {
      WsSubscriber.Result result = socket.done.get(30, TimeUnit.SECONDS);
      assertNull(result.failure());
      assertEquals(chunks.size(), result.count());
      assertEquals(WsSubscriber.hash(chunks), result.hash());
      assertEquals("stream_end", result.control().get("type").asText());
    }
    for (SseStream sse : events) {
      sse.awaitDone(TestServer.DEADLINE);
      assertEquals(chunks.stream().map(StreamChunk::seq).toList(), sse.ids());
      assertEquals(
          chunks.stream().map(StreamChunk::toJsonString).toList(),
          sse.events.stream().map(SseStream.Event::data).toList());
    }
    // each chunk: one SSE event and one WebSocket frame, for three and six subscribers
    assertEquals(renders + 2L * chunks.size(), hubs().renders());
    assertEquals(upstreams + 1, hubs().upstreams(), "nobody needed a subscription of its own");
    TestRuntime.awaitCondition(
        () -> hubs().localSubscribers(streamId) == 0, Duration.ofSeconds(10));
  }

  @Test
  void aClientThatStopsReadingIsCutOffAtItsOffsetWhileTheOthersGoOn() throws Exception {
    String runId = server.execute("steady", "go");
    AgentHandle run = server.runtime.executor.getHandle(runId).toCompletableFuture().get()
        .orElseThrow();
    long upstreams = hubs().upstreams();
    // a client with a tiny receive buffer that reads nothing after the upgrade
    RawWebSocket stalled = RawWebSocket.open(server.base, "/ws/" + runId, 4096);
    assertEquals(101, stalled.status);
    List<WsSubscriber> readers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      WsSubscriber reader = new WsSubscriber(0);
      readers.add(reader);
      WsSubscriber.connect(client, server.base, runId, 0, reader).get(10, TimeUnit.SECONDS);
    }
    TestRuntime.awaitCondition(() -> hubs().localSubscribers(runId) == 6, Duration.ofSeconds(20));
    assertEquals(1, run.streamStatus().toCompletableFuture().get().subscribers());

    steady.gate.complete(null);
    List<StreamChunk> chunks = new ArrayList<>();
    for (WsSubscriber reader : readers) {
      WsSubscriber.Result result = reader.done.get(60, TimeUnit.SECONDS);
      if (chunks.isEmpty()) {
        chunks = chunks(run, 0);
      }
      assertNull(result.failure());
      assertEquals(chunks.size(), result.count());
      assertEquals(WsSubscriber.hash(chunks), result.hash());
    }
    assertTrue(chunks.size() > STEADY_DELTAS);

    RawWebSocket.Sent sent = stalled.readSent();
    stalled.close();
    long received = sent.chunks();
    assertNull(sent.failure());
    assertNotNull(sent.control(), "the stalled client was told where to resume");
    assertEquals("resume", sent.control().get("type").asText());
    assertEquals(received, sent.control().get("from").asLong(), "right after its last chunk");
    assertTrue(received < chunks.size() / 2, "cut off early: after " + received);
    assertEquals(upstreams + 1, hubs().upstreams(), "the cut-off left the upstream alone");
  }

  @Test
  void readingFromAnOffsetIsExactInTheHubAndBeforeIt() throws Exception {
    AgentHandle run = hold();
    String streamId = run.streamId();
    append(streamId, 20);
    long live = awaitNextOffset(run, 20);
    long upstreams = hubs().upstreams();
    WsSubscriber first = new WsSubscriber(live);
    WsSubscriber.connect(client, server.base, streamId, live, first).get(10, TimeUnit.SECONDS);
    TestRuntime.awaitCondition(
        () -> hubs().localSubscribers(streamId) == 1, Duration.ofSeconds(10));

    append(streamId, BUFFER);
    long later = awaitNextOffset(run, live + BUFFER);
    // from the start: long before the hub's first chunk, so a subscription of its own
    WsSubscriber fromStart = new WsSubscriber(0);
    WsSubscriber.connect(client, server.base, streamId, 0, fromStart).get(10, TimeUnit.SECONDS);
    // a few chunks back: the hub still has them
    long recent = later - 3;
    WsSubscriber fromRecent = new WsSubscriber(recent);
    WsSubscriber.connect(client, server.base, streamId, recent, fromRecent)
        .get(10, TimeUnit.SECONDS);
    TestRuntime.awaitCondition(
        () -> hubs().localSubscribers(streamId) == 2, Duration.ofSeconds(10));

    append(streamId, 30);
    run.abort("done").toCompletableFuture().get(10, TimeUnit.SECONDS);
    List<StreamChunk> all = chunks(run, 0);
    for (var reader : List.of(first, fromStart, fromRecent)) {
      WsSubscriber.Result result = reader.done.get(30, TimeUnit.SECONDS);
      long start = all.size() - result.count();
      assertNull(result.failure());
      assertEquals(WsSubscriber.hash(all.subList((int) start, all.size())), result.hash());
      assertEquals(all.size(), result.control().get("next").asLong());
    }
    assertEquals(all.size() - live, first.done.get().count());
    assertEquals(all.size(), fromStart.done.get().count());
    assertEquals(all.size() - recent, fromRecent.done.get().count());
    assertEquals(upstreams + 2, hubs().upstreams(), "the hub and the reader from the start");
  }

  // ---- helpers

  /** A run held open (its model never answers), its stream written to by {@link #append}. */
  private AgentHandle hold() throws Exception {
    String runId = server.execute("holder", "hold");
    AgentHandle run =
        server.runtime.executor.getHandle(runId).toCompletableFuture().get().orElseThrow();
    awaitNextOffset(run, 1);
    return run;
  }

  private void append(String streamId, int count) {
    Streams streams = Streams.start(server.runtime.testKit.system());
    for (int i = 0; i < count; i++) {
      streams.append(
          streamId,
          List.of(
              StreamChunk.of(
                  ChunkTypes.CUSTOM, streamId, "test", 0, 0L, Json.object().put("n", i))),
          false);
    }
  }

  private static long nextOffset(AgentHandle run) {
    return run.streamStatus().toCompletableFuture().join().nextOffset();
  }

  private static long awaitNextOffset(AgentHandle run, long atLeast) {
    TestRuntime.awaitCondition(() -> nextOffset(run) >= atLeast, Duration.ofSeconds(20));
    return nextOffset(run);
  }

  private List<StreamChunk> chunks(AgentHandle run, long from) throws Exception {
    return run.stream(from)
        .runWith(Sink.seq(), server.runtime.testKit.system())
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

}
