package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentHandle;
import io.helix.json.Json;
import io.helix.stream.StreamChunk;
import io.helix.stream.StreamStatus;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /ws/{streamId}}: chunks as text frames, resumable with {@code ?from=}, pings when
 * idle, a last frame with the offsets and a normal close at the end, problems before the upgrade, and a
 * client that never reads is disconnected without holding up the others.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketStreamTest {

  static final int STEADY_DELTAS = 2000;
  static final int BUFFER = 256;

  // steady: 2,000 deltas a millisecond apart, a stream of a few seconds
  private final TestServer server =
      new TestServer(
          TestServer.cutsOffAfter(BUFFER),
          agents -> agents.register(TestAgents.adder("steady", 2).withModel("steady:test")),
          models ->
              models.register("steady", TestServer.words(STEADY_DELTAS, Duration.ofMillis(1))));

  private final HttpClient client = HttpClient.newHttpClient();

  @AfterAll
  void stop() {
    server.close();
  }

  private AgentHandle handle(String runId) throws Exception {
    return server.runtime.executor.getHandle(runId).toCompletableFuture().get(10, TimeUnit.SECONDS)
        .orElseThrow();
  }

  private List<StreamChunk> all(AgentHandle handle) throws Exception {
    return handle.stream(0)
        .runWith(Sink.seq(), server.runtime.testKit.system())
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private static JsonNode problem(RawWebSocket response, int status, String kind) {
    assertEquals(status, response.status, response.body);
    assertEquals("application/problem+json", response.headers.get("content-type"));
    JsonNode problem = Json.parse(response.body);
    assertEquals("urn:helix:problem:" + kind, problem.get("type").asText());
    assertEquals(status, problem.get("status").asInt());
    return problem;
  }

  @Test
  void chunksAsTextFramesThenTheEndFrameAndANormalClose() throws Exception {
    String runId = server.execute("adder", "add 2 and 3");
    WsSubscriber subscriber = new WsSubscriber(0);
    WsSubscriber.connect(client, server.base, runId, 0, subscriber).get(10, TimeUnit.SECONDS);
    WsSubscriber.Result result = subscriber.done.get(30, TimeUnit.SECONDS);
    List<StreamChunk> chunks = all(handle(runId));
    assertNull(result.failure());
    assertEquals(chunks.size(), result.count());
    assertEquals(WsSubscriber.hash(chunks), result.hash(), "the same JSON as the SSE data");
    assertEquals("stream_end", result.control().get("type").asText());
    assertEquals(chunks.size() - 1, result.control().get("last").asLong());
    assertEquals(chunks.size(), result.control().get("next").asLong());
    assertEquals(1000, result.closeCode());

    // ?from= resumes: exactly the rest
    long from = chunks.size() - 3;
    WsSubscriber rest = new WsSubscriber(from);
    WsSubscriber.connect(client, server.base, runId, from, rest).get(10, TimeUnit.SECONDS);
    WsSubscriber.Result tail = rest.done.get(30, TimeUnit.SECONDS);
    assertNull(tail.failure());
    assertEquals(3, tail.count());
    assertEquals(WsSubscriber.hash(chunks.subList((int) from, chunks.size())), tail.hash());
    assertEquals(chunks.size(), tail.control().get("next").asLong());
  }

  @Test
  void batchedFramesCarryTheSameChunksInFewerFrames() throws Exception {
    String runId = server.execute("steady", "go");
    AgentHandle handle = handle(runId);
    handle.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
    List<StreamChunk> chunks = all(handle);

    List<String> frames = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket.Listener collect =
        new WebSocket.Listener() {
          private final StringBuilder partial = new StringBuilder();

          @Override
          public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE);
          }

          @Override
          public CompletionStage<?> onText(
              WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              frames.add(partial.toString());
              partial.setLength(0);
            }
            return null;
          }

          @Override
          public CompletionStage<?> onClose(
              WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
          }

          @Override
          public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
          }
        };
    client
        .newWebSocketBuilder()
        .buildAsync(
            URI.create(
                "ws://127.0.0.1:" + server.base.getPort() + "/ws/" + runId + "?batch=true"),
            collect)
        .get(10, TimeUnit.SECONDS);
    assertEquals(1000, closed.get(30, TimeUnit.SECONDS));

    JsonNode end = Json.parse(frames.get(frames.size() - 1));
    assertEquals("stream_end", end.get("type").asText());
    assertEquals(chunks.size(), end.get("next").asLong());
    List<JsonNode> received = new ArrayList<>();
    int largest = 0;
    for (String frame : frames.subList(0, frames.size() - 1)) {
      JsonNode array = Json.parse(frame);
      assertTrue(array.isArray() && !array.isEmpty(), "a chunk frame is a non-empty array: " + frame);
      largest = Math.max(largest, array.size());
      array.forEach(received::add);
    }
    List<JsonNode> expected = chunks.stream().map(c -> Json.parse(c.toJsonString())).toList();
    assertEquals(expected, received, "every chunk once, in order");
    assertTrue(largest <= TestServer.WS_MAX_CHUNKS_PER_FRAME, "at most the configured chunks per frame");
    assertTrue(
        frames.size() - 1 < chunks.size(),
        "a stored stream read at once needs fewer frames than chunks: "
            + (frames.size() - 1) + " for " + chunks.size());
  }

  @Test
  void anIdleSocketGetsPings() throws Exception {
    String runId = server.execute("slow", "take your time"); // a word a second
    WsSubscriber subscriber = new WsSubscriber(0);
    WebSocket socket =
        WsSubscriber.connect(client, server.base, runId, 0, subscriber).get(10, TimeUnit.SECONDS);
    TestRuntime.awaitCondition(() -> subscriber.pings.get() >= 3, Duration.ofSeconds(10));
    handle(runId).abort("enough").toCompletableFuture().get(10, TimeUnit.SECONDS);
    WsSubscriber.Result result = subscriber.done.get(30, TimeUnit.SECONDS);
    assertNull(result.failure());
    assertEquals("stream_end", result.control().get("type").asText());
    assertEquals(all(handle(runId)).size(), result.count());
    socket.abort();
  }

  @Test
  void problemsComeBeforeTheUpgrade() throws Exception {
    try (RawWebSocket unknown = RawWebSocket.open(server.base, "/ws/no-such-stream", 0)) {
      JsonNode problem = problem(unknown, 404, "stream-not-found");
      assertTrue(problem.get("detail").asText().contains("no-such-stream"));
    }
    String runId = server.execute("adder", "add 2 and 3");
    try (RawWebSocket bad = RawWebSocket.open(server.base, "/ws/" + runId + "?from=-1", 0)) {
      problem(bad, 400, "invalid-request");
    }
    // not a WebSocket request
    HttpResponse<String> plain = server.get("/ws/" + runId);
    assertEquals(400, plain.statusCode(), plain.body());
    assertEquals(
        "application/problem+json", plain.headers().firstValue("Content-Type").orElseThrow());
  }

  @Test
  void aClientThatNeverReadsIsDisconnectedAndHoldsUpNobody() throws Exception {
    String runId = server.execute("steady", "go");
    AgentHandle handle = handle(runId);
    // a client with a tiny receive buffer that reads nothing after the upgrade
    RawWebSocket stalled = RawWebSocket.open(server.base, "/ws/" + runId, 4096);
    assertEquals(101, stalled.status);
    List<WsSubscriber> readers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      WsSubscriber reader = new WsSubscriber(0);
      readers.add(reader);
      WsSubscriber.connect(client, server.base, runId, 0, reader).get(10, TimeUnit.SECONDS);
    }
    List<WsSubscriber.Result> results = new ArrayList<>();
    for (WsSubscriber reader : readers) {
      results.add(reader.done.get(60, TimeUnit.SECONDS));
    }
    long readersDone = System.currentTimeMillis();
    StreamStatus status = handle.streamStatus().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(status.ended());
    List<StreamChunk> chunks = all(handle);
    for (WsSubscriber.Result result : results) {
      assertNull(result.failure());
      assertEquals(chunks.size(), result.count());
      assertEquals(WsSubscriber.hash(chunks), result.hash());
    }
    // the readers were done about when the stream was: the stalled client held nobody up
    assertTrue(
        readersDone - status.endedAt() < 3000,
        "readers finished " + (readersDone - status.endedAt()) + " ms after the stream ended");

    // now the stalled client reads what it was sent: a prefix, the resume frame, the close
    RawWebSocket.Sent sent = stalled.readSent();
    stalled.close();
    long expected = sent.chunks();
    System.out.printf(
        "the stalled client was cut off after %d of %d chunks; 20 readers were done %d ms after"
            + " the stream ended%n",
        expected, chunks.size(), readersDone - status.endedAt());
    assertNull(sent.failure());
    JsonNode resume = sent.control();
    assertNotNull(resume, "the stalled client was told where to resume");
    assertEquals("resume", resume.get("type").asText());
    assertEquals(expected, resume.get("from").asLong(), "resume right after its last chunk");
    assertTrue(expected < chunks.size() / 2, "it was cut off early: after " + expected);
    assertEquals(1000, sent.closeCode());
  }
}
