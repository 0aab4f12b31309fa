package io.helix.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.client.FakeHelixServer.Answer;
import io.helix.client.FakeHelixServer.Ending;
import io.helix.client.FakeHelixServer.Plan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Following a stream over real HTTP on loopback, against a server that misbehaves on purpose. */
class ChunkStreamTest {

  private static final String RUN = "run-1";
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  private final List<ObjectNode> script = FakeHelixServer.script(RUN, "run-1/sub");
  private FakeHelixServer server;

  @BeforeEach
  void start() throws Exception {
    server = new FakeHelixServer(script);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HelixClient.Builder client() {
    return HelixClient.builder(server.uri())
        .bearerToken("tok-1")
        .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(50));
  }

  private List<String> lastEventIds() {
    return server.requestsTo("/agent/stream/").stream()
        .map(r -> String.valueOf(r.header("Last-Event-ID")))
        .toList();
  }

  private void assertWholeScript(List<Chunk> delivered) {
    assertEquals(
        script.stream().map(ObjectNode::toString).toList(),
        delivered.stream().map(c -> c.json().toString()).toList(),
        "every chunk once, in order");
  }

  @Test
  void resumesAfterDropsAndResumeEventsWithoutLossOrRepetition() {
    server.plans.addAll(
        List.of(
            Plan.upTo(5, Ending.DROP), // the connection breaks after offset 4
            Plan.upTo(12, Ending.RESUME), // the server shuts down: resume from 12
            new Plan(200, 100, Ending.CLEAN, true))); // a server that resends from 0
    List<Chunk> delivered = new ArrayList<>();
    try (ChunkStream chunks = client().build().stream(RUN)) {
      chunks.forEach(delivered::add);
      assertEquals(2, chunks.reconnects());
      assertEquals(script.size(), chunks.nextOffset());
    }
    assertWholeScript(delivered);
    assertEquals(List.of("null", "4", "11"), lastEventIds());
    Chunk last = delivered.get(delivered.size() - 1);
    assertInstanceOf(Chunk.RunEnd.class, last);
    assertEquals(RUN, last.runId());
    assertTrue(
        delivered.stream().anyMatch(c -> c instanceof Chunk.RunEnd && !c.runId().equals(RUN)),
        "a sub-agent's run_end does not end the stream");
  }

  @Test
  void sendsTheBearerTokenOnEveryConnection() {
    server.plans.addAll(List.of(Plan.upTo(3, Ending.DROP), Plan.upTo(100, Ending.CLEAN)));
    try (ChunkStream chunks = client().build().stream(RUN)) {
      assertEquals(script.size(), chunks.stream().count());
    }
    List<FakeHelixServer.Request> requests = server.requestsTo("/agent/stream/");
    assertEquals(2, requests.size());
    requests.forEach(r -> assertEquals("Bearer tok-1", r.header("Authorization")));
    requests.forEach(r -> assertEquals("text/event-stream", r.header("Accept")));
  }

  @Test
  void followsTheRunAcrossAServerRestart() throws Exception {
    // the server goes down after offset 7, while the run is still going
    server.plans.addAll(List.of(Plan.upTo(8, Ending.HANG), Plan.upTo(100, Ending.CLEAN)));
    ChunkStream chunks = client().build().stream(RUN);
    List<Chunk> delivered = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> chunks.forEach(delivered::add));
    reader.start();
    Await.until(() -> delivered.size() == 8, DEADLINE);
    server.stop();
    // connecting again has failed at least once: the server is down
    Await.until(() -> chunks.reconnects() >= 2, DEADLINE);
    server.start();
    reader.join(DEADLINE.toMillis());
    assertFalse(reader.isAlive());
    assertWholeScript(delivered);
    assertEquals(2, server.streamConnections.get(), "one connection before, one after");
    assertEquals("7", lastEventIds().get(1));
  }

  @Test
  void reconnectsThroughServerErrorsAndReplacesAnIdleConnection() {
    server.plans.addAll(
        List.of(
            Plan.upTo(3, Ending.HANG), // silent after offset 2: the idle timeout replaces it
            Plan.status(503),
            Plan.status(502),
            Plan.upTo(100, Ending.CLEAN)));
    List<Chunk> delivered;
    try (ChunkStream chunks =
        client().streamIdleTimeout(Duration.ofSeconds(1)).build().stream(RUN)) {
      delivered = chunks.stream().toList();
    }
    assertWholeScript(delivered);
    assertEquals(List.of("null", "2", "2", "2"), lastEventIds());
  }

  @Test
  void givesUpAfterTheConfiguredTime() {
    server.plans.addAll(List.of(Plan.upTo(2, Ending.DROP), Plan.status(503)));
    List<Chunk> delivered = new ArrayList<>();
    long started = System.nanoTime();
    ChunkStream chunks =
        client().reconnectGiveUpAfter(Duration.ofMillis(400)).build().stream(RUN);
    HelixException error =
        assertThrows(HelixException.class, () -> chunks.forEach(delivered::add));
    assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(400));
    assertTrue(error.getMessage().contains("gave up following run run-1 at offset 2"), error.getMessage());
    assertInstanceOf(HelixApiException.class, error.getCause());
    assertEquals(2, delivered.size());
    assertEquals(2, chunks.nextOffset());
    assertTrue(server.streamConnections.get() > 3, "it retried: " + server.streamConnections);
  }

  @Test
  void anErrorAnswerIsThrownWithoutRetrying() {
    server.plans.add(Plan.status(410));
    Iterator<Chunk> chunks = client().build().stream(RUN, 3).iterator();
    HelixApiException error = assertThrows(HelixApiException.class, chunks::hasNext);
    assertEquals(410, error.status());
    assertEquals("urn:helix:problem:stream-deleted", error.type());
    assertEquals("stream-deleted", error.kind());
    assertEquals("plan of connection 0", error.detail());
    assertEquals(1, server.streamConnections.get());
    assertEquals("2", lastEventIds().get(0), "from offset 3 is after 2");
    assertFalse(chunks.hasNext());
  }

  @Test
  void startsAtAnOffsetAndEndsAtTheEndOfAnEndedStream() {
    server.plans.add(Plan.upTo(100, Ending.CLEAN));
    server.answer("GET /agent/result/" + RUN, new Answer(200, "application/json",
        "{\"runId\":\"run-1\",\"status\":\"completed\",\"steps\":3}"));
    HelixClient client = client().build();
    try (ChunkStream chunks = client.stream(RUN, 15)) {
      assertEquals(List.of(15L, 16L, 17L, 18L, 19L), chunks.stream().map(Chunk::seq).toList());
    }
    try (ChunkStream chunks = client.stream(RUN, 20)) {
      assertEquals(0, chunks.stream().count(), "nothing past the end, and no retrying");
    }
    assertEquals(2, server.streamConnections.get());
  }

  @Test
  void closeFromAnotherThreadEndsAWaitingIterator() throws Exception {
    server.plans.add(Plan.upTo(2, Ending.HANG));
    ChunkStream chunks = client().build().stream(RUN);
    List<Chunk> delivered = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> chunks.forEach(delivered::add));
    reader.start();
    Await.until(() -> delivered.size() == 2, DEADLINE);
    chunks.close();
    reader.join(DEADLINE.toMillis());
    assertFalse(reader.isAlive(), "hasNext() returned");
    assertEquals(1, server.streamConnections.get());
  }

  @Test
  void followCompletesAfterRunEndAndCancelEndsTheStream() throws Exception {
    server.plans.addAll(List.of(Plan.upTo(100, Ending.CLEAN), Plan.upTo(4, Ending.HANG)));
    HelixClient client = client().build();
    List<String> types = new CopyOnWriteArrayList<>();
    client.follow(RUN, 0, chunk -> types.add(chunk.type())).get(20, TimeUnit.SECONDS);
    assertEquals(script.stream().map(c -> c.get("type").asText()).toList(), types);

    List<Chunk> some = new CopyOnWriteArrayList<>();
    var following = client.follow(RUN, 0, some::add);
    Await.until(() -> some.size() == 4, DEADLINE);
    following.cancel(true);
    assertTrue(following.isCancelled());
    ExecutionException failed =
        assertThrows(
            ExecutionException.class,
            () -> client.follow(RUN, 0, chunk -> {
              throw new IllegalStateException("the callback failed");
            }).get(20, TimeUnit.SECONDS));
    assertEquals("the callback failed", failed.getCause().getMessage());
  }

  @Test
  void chunksAreTyped() {
    server.plans.add(Plan.upTo(100, Ending.CLEAN));
    List<Chunk> delivered;
    try (ChunkStream chunks = client().build().stream(RUN)) {
      delivered = chunks.stream().toList();
    }
    String text =
        delivered.stream()
            .filter(c -> c instanceof Chunk.TextDelta && c.runId().equals(RUN) && c.step() == 3)
            .map(c -> ((Chunk.TextDelta) c).delta())
            .collect(Collectors.joining());
    assertEquals("The answer is 42.", text);
    Chunk.ToolStart start = (Chunk.ToolStart) delivered.get(6);
    assertEquals("calculator", start.toolName());
    assertEquals("6*7", start.arguments().get("expression").asText());
    Chunk.SubagentEnd end = (Chunk.SubagentEnd) delivered.get(13);
    assertEquals(RunStatus.COMPLETED, end.status());
    assertEquals("run-1/sub", end.subAgentId());
    assertEquals("research", end.agentType());
    assertEquals(1_700_000_000_013L, end.timestamp());
  }
}
