package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import io.helix.testkit.NodeScripts;
import io.helix.testkit.TestRuntime;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The SSE stream as the standard client sees it: the {@code eventsource} npm package (WHATWG
 * EventSource semantics, pinned in test-clients/), which reconnects with {@code Last-Event-ID}
 * whenever a response ends. It reads a finished run's stream whole, reconnects once at the end, is
 * answered {@code 204 No Content}, and stops: it does not reconnect for ever.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventSourceClientTest {

  private static final Path NODE_DIR = Path.of("../test-clients").toAbsolutePath().normalize();

  private final TestServer server = new TestServer();

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void anEventSourceReadsTheWholeStreamThenStopsAtTheEnd() throws Exception {
    String node = node();
    String runId = server.execute("adder", "add 2 and 3");
    TestRuntime.awaitCondition(
        () -> TestServer.json(server.get("/agent/result/" + runId)).path("status").asText().equals("completed"),
        Duration.ofSeconds(20));
    // the run's last chunks reach its stream right after its end is persisted
    TestRuntime.awaitCondition(
        () ->
            server
                    .send(server.request("/agent/stream/" + runId).header("Last-Event-ID", "1000"))
                    .statusCode()
                == 204,
        Duration.ofSeconds(20)); // past the end of an ended stream: 204

    JsonNode seen = follow(node, server.base.resolve("/agent/stream/" + runId).toString());
    List<Long> ids = new ArrayList<>();
    seen.get("ids").forEach(id -> ids.add(id.asLong()));
    assertTrue(ids.size() > 3, seen.toString());
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(i, ids.get(i), "every chunk once, in order: " + ids);
    }
    assertEquals(2, seen.get("state").asInt(), "CLOSED: it stopped by itself: " + seen);
    // it opened once; its reconnect with Last-Event-ID was answered 204, which does not open
    assertEquals(1, seen.get("opens").asInt(), seen.toString());
    assertEquals(204, seen.get("error").asInt(), "the reconnect's answer: " + seen);
  }

  /** node with the pinned clients installed (the eventsource and ai packages). */
  static String node() {
    return NodeScripts.node(
        "npm ci --prefix test-clients",
        NODE_DIR.resolve("node_modules/eventsource"),
        NODE_DIR.resolve("node_modules/ai"));
  }

  private static JsonNode follow(String node, String url) throws Exception {
    ProcessBuilder builder =
        NodeScripts.process(NODE_DIR, List.of(node, NODE_DIR.resolve("follow.mjs").toString(), url, "20"));
    Process process = builder.start();
    if (!process.waitFor(40, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("the EventSource client did not finish");
    }
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    return Json.parse(out.substring(out.lastIndexOf('\n') + 1));
  }
}
