package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentHandle;
import io.helix.json.Json;
import io.helix.testkit.TestRuntime;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A stream deleted after its retention is answered 410 on SSE and WebSocket; the run remains. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamRetentionHttpTest {

  private final TestServer server =
      new TestServer(
          """
          helix.stream.retention = 1s
          helix.stream.retention-sweep-interval = 200ms
          """,
          agents -> {},
          models -> {});

  @AfterAll
  void stop() {
    server.close();
  }

  private static void assertGone(int status, String contentType, String body, String runId) {
    assertEquals(410, status, body);
    assertEquals("application/problem+json", contentType);
    JsonNode problem = Json.parse(body);
    assertEquals("urn:helix:problem:stream-deleted", problem.get("type").asText());
    String detail = problem.get("detail").asText();
    assertTrue(detail.contains(runId) && detail.contains("retention"), detail);
  }

  @Test
  void aDeletedStreamIsGone() throws Exception {
    String runId = server.execute("adder", "add 2 and 3");
    AgentHandle handle =
        server.runtime.executor.getHandle(runId).toCompletableFuture().get().orElseThrow();
    assertEquals(
        "completed",
        handle.result().toCompletableFuture().get(30, TimeUnit.SECONDS).status().name());
    // readable until the retention has passed
    HttpResponse<String> before = server.get("/agent/stream/" + runId);
    assertEquals(200, before.statusCode());
    TestRuntime.awaitCondition(
        () -> handle.streamStatus().toCompletableFuture().join().deleted(), Duration.ofSeconds(20));

    HttpResponse<String> sse = server.get("/agent/stream/" + runId);
    assertGone(
        sse.statusCode(), sse.headers().firstValue("Content-Type").orElse(""), sse.body(), runId);
    try (RawWebSocket ws = RawWebSocket.open(server.base, "/ws/" + runId, 0)) {
      assertGone(ws.status, ws.headers.get("content-type"), ws.body, runId);
    }
    // the run itself is still there
    HttpResponse<String> result = server.get("/agent/result/" + runId);
    assertEquals(200, result.statusCode());
    assertEquals("completed", Json.parse(result.body()).get("status").asText());
  }
}
