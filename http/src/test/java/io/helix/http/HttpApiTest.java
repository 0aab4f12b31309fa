package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.testkit.TestRuntime;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The API's happy paths through a real server and a real client. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiTest {

  private final TestServer server = new TestServer();

  @AfterAll
  void stop() {
    server.close();
  }

  private SseStream stream(String path, String... headers) {
    HttpRequest.Builder request = server.request(path).GET().header("Accept", "text/event-stream");
    if (headers.length > 0) {
      request.headers(headers);
    }
    return SseStream.open(server.client, request.build());
  }

  private static void assertContiguousFrom(long first, List<Long> ids) {
    assertEquals(LongStream.range(first, first + ids.size()).boxed().toList(), ids, "ids");
  }

  @Test
  void executeThenStreamThenResult() {
    HttpResponse<String> started =
        server.postJson("/agent/execute", "{\"agentType\":\"adder\",\"message\":\"add 2 and 3\"}");
    assertEquals(202, started.statusCode(), started.body());
    JsonNode body = TestServer.json(started);
    String runId = body.get("runId").asText();
    assertFalse(runId.isBlank());
    assertEquals("/agent/stream/" + runId, body.get("streamUrl").asText());
    assertEquals("/agent/result/" + runId, body.get("resultUrl").asText());
    assertEquals("/agent/result/" + runId, started.headers().firstValue("Location").orElseThrow());

    SseStream sse = stream(body.get("streamUrl").asText()).awaitDone(TestServer.DEADLINE);
    assertEquals(200, sse.response.statusCode());
    assertTrue(
        sse.response
            .headers()
            .firstValue("Content-Type")
            .orElseThrow()
            .startsWith("text/event-stream"));
    assertEquals("no-cache", sse.response.headers().firstValue("Cache-Control").orElseThrow());
    assertEquals("no", sse.response.headers().firstValue("X-Accel-Buffering").orElseThrow());

    assertContiguousFrom(0, sse.ids());
    for (SseStream.Event event : sse.events) {
      assertEquals(Long.parseLong(event.id()), event.json().get("seq").asLong(), "id is the seq");
      assertEquals(runId, event.json().get("runId").asText());
    }
    List<String> types = sse.types();
    int textDelta = types.indexOf("text_delta");
    int toolStart = types.indexOf("tool_start");
    int toolEnd = types.indexOf("tool_end");
    int output = types.indexOf("output");
    int runEnd = types.indexOf("run_end");
    assertTrue(textDelta >= 0, "text_delta in " + types);
    assertTrue(textDelta < toolStart, "text_delta before tool_start in " + types);
    assertTrue(toolStart < toolEnd, "tool_start before tool_end in " + types);
    assertTrue(toolEnd < output, "tool_end before output in " + types);
    assertTrue(output < runEnd, "output before run_end in " + types);
    assertEquals(types.size() - 1, runEnd, "run_end is last");
    assertTrue(types.lastIndexOf("text_delta") > toolEnd, "the answer streams after the tool");
    assertEquals("add", sse.events.get(toolStart).json().get("toolName").asText());
    assertEquals("The sum is 5.", sse.events.get(output).json().get("output").asText());

    JsonNode result = TestServer.json(server.get("/agent/result/" + runId));
    assertEquals(runId, result.get("runId").asText());
    assertEquals("adder", result.get("agentType").asText());
    assertEquals("completed", result.get("status").asText());
    assertEquals("The sum is 5.", result.get("output").asText());
    assertFalse(result.get("aborted").asBoolean());
    assertTrue(result.get("error").isNull());
    assertEquals(2, result.get("steps").asInt());
    assertTrue(result.get("usage").get("inputTokens").asLong() > 0);
  }

  @Test
  void resumeWithLastEventIdOrFromYieldsExactlyTheRest() {
    String runId = server.execute("adder", "add");
    JsonNode result = TestServer.json(server.get("/agent/result/" + runId + "?wait=5"));
    assertEquals("completed", result.get("status").asText());
    SseStream full = stream("/agent/stream/" + runId).awaitDone(TestServer.DEADLINE);
    int n = full.events.size();
    assertTrue(n >= 6, "a full stream, was " + full.types());
    long k = 3;
    List<SseStream.Event> rest = full.events.subList((int) k + 1, n);

    SseStream afterLastEvent =
        stream("/agent/stream/" + runId, "Last-Event-ID", Long.toString(k))
            .awaitDone(TestServer.DEADLINE);
    assertEquals(rest, afterLastEvent.events);

    SseStream from =
        stream("/agent/stream/" + runId + "?from=" + (k + 1)).awaitDone(TestServer.DEADLINE);
    assertEquals(rest, from.events);

    // a reconnecting EventSource sends its original URL with Last-Event-ID: the header wins
    SseStream both =
        stream("/agent/stream/" + runId + "?from=0", "Last-Event-ID", Long.toString(k))
            .awaitDone(TestServer.DEADLINE);
    assertEquals(rest, both.events);

    SseStream pastTheEnd =
        stream("/agent/stream/" + runId + "?from=" + (n + 10)).awaitDone(TestServer.DEADLINE);
    assertEquals(List.of(), pastTheEnd.events);
  }

  @Test
  void reconnectingToALiveStreamLosesAndRepeatsNothing() {
    String runId = server.execute("medium", "add");
    List<SseStream.Event> seen = new ArrayList<>();
    try (SseStream first = stream("/agent/stream/" + runId)) {
      TestRuntime.awaitCondition(() -> first.events.size() >= 2, TestServer.DEADLINE);
      seen.addAll(first.events);
    }
    String lastId = seen.get(seen.size() - 1).id();
    SseStream second =
        stream("/agent/stream/" + runId, "Last-Event-ID", lastId).awaitDone(TestServer.DEADLINE);
    seen.addAll(second.events);

    List<Long> ids = seen.stream().map(e -> Long.parseLong(e.id())).toList();
    assertContiguousFrom(0, ids);
    assertEquals("run_end", seen.get(seen.size() - 1).type());
    assertEquals(
        "completed", TestServer.json(server.get("/agent/result/" + runId)).get("status").asText());
  }

  @Test
  void abortASlowRun() {
    String runId = server.execute("slow", "talk");
    SseStream sse = stream("/agent/stream/" + runId);
    TestRuntime.awaitCondition(() -> sse.types().contains("text_delta"), TestServer.DEADLINE);

    HttpResponse<String> aborted =
        server.postJson("/agent/abort/" + runId, "{\"reason\":\"user cancelled\"}");
    assertEquals(200, aborted.statusCode(), aborted.body());
    JsonNode status = TestServer.json(aborted);
    assertEquals("failed", status.get("status").asText());
    assertTrue(status.get("aborted").asBoolean());
    assertEquals("user cancelled", status.get("abortReason").asText());

    sse.awaitDone(TestServer.DEADLINE);
    List<String> types = sse.types();
    assertEquals("run_end", types.get(types.size() - 1));
    SseStream.Event error = sse.events.get(types.size() - 2);
    assertEquals("error", error.type());
    assertTrue(error.json().get("aborted").asBoolean());
    assertTrue(
        types.stream().filter("text_delta"::equals).count() < TestServer.SLOW_WORDS,
        "the answer stopped streaming");
    TestRuntime.awaitCondition(() -> server.slowModel.cancelledCalls() >= 1, TestServer.DEADLINE);

    JsonNode result = TestServer.json(server.get("/agent/result/" + runId));
    assertEquals("failed", result.get("status").asText());
    assertTrue(result.get("aborted").asBoolean());
    assertEquals("user cancelled", result.get("abortReason").asText());

    // aborting an ended run changes nothing; the body is optional (its content type is not)
    HttpResponse<String> again =
        server.send(
            server
                .request("/agent/abort/" + runId)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, again.statusCode(), again.body());
    assertEquals("user cancelled", TestServer.json(again).get("abortReason").asText());
  }

  @Test
  void abortWithoutBodyUsesTheDefaultReason() {
    String runId = server.execute("slow", "talk");
    HttpResponse<String> aborted =
        server.send(
            server
                .request("/agent/abort/" + runId)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, aborted.statusCode(), aborted.body());
    JsonNode status = TestServer.json(aborted);
    assertEquals("failed", status.get("status").asText());
    assertTrue(status.get("aborted").asBoolean());
    assertNotNull(status.get("abortReason").textValue());
  }

  @Test
  void longPollAnswersAtTheEndOfTheRun() {
    String runId = server.execute("medium", "add");
    long start = System.nanoTime();
    JsonNode result = TestServer.json(server.get("/agent/result/" + runId + "?wait=30"));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(
        "completed", result.get("status").asText(), "answered at the end, not at the wait");
    assertEquals("The sum is 5.", result.get("output").asText());
    assertTrue(took.compareTo(TestServer.RESULT_WAIT_MAX) < 0, "took " + took);
  }

  @Test
  void longPollOfARunningRunAnswersRunningAfterTheWait() {
    String runId = server.execute("slow", "talk");
    try {
      long start = System.nanoTime();
      JsonNode result = TestServer.json(server.get("/agent/result/" + runId + "?wait=0.5"));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertEquals("running", result.get("status").asText());
      assertTrue(took.compareTo(Duration.ofMillis(450)) >= 0, "waited, took " + took);

      // a longer wait than result-wait-max is cut to it
      start = System.nanoTime();
      result = TestServer.json(server.get("/agent/result/" + runId + "?wait=3600"));
      took = Duration.ofNanos(System.nanoTime() - start);
      assertEquals("running", result.get("status").asText());
      assertTrue(took.compareTo(TestServer.RESULT_WAIT_MAX.minusMillis(100)) >= 0, "took " + took);
      assertTrue(took.compareTo(TestServer.RESULT_WAIT_MAX.plusSeconds(5)) < 0, "took " + took);

      // without wait: the status now
      assertEquals(
          "running", TestServer.json(server.get("/agent/result/" + runId)).get("status").asText());
    } finally {
      server.postJson("/agent/abort/" + runId, "{}");
    }
  }

  @Test
  void aSilentStreamGetsHeartbeats() {
    String runId = server.execute("slow", "talk");
    try (SseStream sse = stream("/agent/stream/" + runId)) {
      // one word a second, a heartbeat after 300 ms of silence
      TestRuntime.awaitCondition(() -> sse.comments.get() >= 2, TestServer.DEADLINE);
      for (SseStream.Event event : sse.events) {
        assertFalse(event.data().isEmpty(), "a heartbeat is a comment, not an event of empty data");
      }
    } finally {
      server.postJson("/agent/abort/" + runId, "{}");
    }
  }

  @Test
  void listsTheAgents() {
    JsonNode body = TestServer.json(server.get("/agent/agents"));
    JsonNode agents = body.get("agents");
    assertEquals(4, agents.size());
    JsonNode adder = agents.get(0);
    assertEquals("adder", adder.get("name").asText());
    assertEquals("adds numbers", adder.get("description").asText());
    assertEquals("scripted:test", adder.get("model").asText());
    assertEquals(5, adder.get("maxSteps").asInt());
    JsonNode tool = adder.get("tools").get(0);
    assertEquals("add", tool.get("name").asText());
    assertEquals("Adds two integers", tool.get("description").asText());
    assertEquals("object", tool.get("inputSchema").get("type").asText());
    assertTrue(tool.get("inputSchema").get("properties").has("a"));
    List<String> names = new ArrayList<>();
    agents.forEach(agent -> names.add(agent.get("name").asText()));
    assertEquals(List.of("adder", "medium", "slow", "hitl"), names);
  }
}
