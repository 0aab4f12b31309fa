package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentHandle;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.history.AgentStateRow;
import io.helix.history.StoredMessage;
import io.helix.json.Json;
import io.helix.model.TokenUsage;
import io.helix.stream.StreamChunk;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code /agent/state}, {@code /agent/runs}, {@code /agent/agents} and the result long-poll. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunHistoryApiTest {

  private final TestServer server =
      new TestServer(
          "",
          agents ->
              agents.register(
                  io.helix.agent.AgentDefinition.builder("planner")
                      .description("plans")
                      .subAgent(io.helix.testkit.TestAgents.adder("helper", 5))
                      .outputSchema(
                          Json.parse("{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":\"string\"}}}"))
                      .model("scripted:test")
                      .build()),
          models -> {});

  @AfterAll
  void stop() {
    server.close();
  }

  private static AgentStateRow row(String runId, String agentType, RunStatus status, long createdAt,
      String parent) {
    return new AgentStateRow(
        runId, agentType, parent == null ? runId : parent, status, 2, Json.object().put("k", 1),
        status == RunStatus.completed ? Json.mapper().getNodeFactory().textNode("done") : null,
        null, parent, false, null, new TokenUsage(3, 4), createdAt, createdAt + 10);
  }

  private static List<StoredMessage> messages(int n) {
    List<StoredMessage> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(
          new StoredMessage(
              i, i % 2 == 0 ? "user" : "assistant", "m" + i, List.of(), null, null,
              i % 2 == 1 ? "thought" + i : null, null, 1000L + i));
    }
    return list;
  }

  @Test
  void stateOfAProjectedRunPagesItsMessages() {
    server.history.put(row("projected-1", "adder", RunStatus.completed, 5000, null), messages(5));
    JsonNode state = TestServer.json(server.get("/agent/state/projected-1?offset=1&limit=2"));
    assertTrue(state.get("projected").asBoolean());
    assertEquals("completed", state.get("status").asText());
    assertEquals(2, state.get("stepCount").asInt());
    assertEquals(1, state.get("customState").get("k").asInt());
    assertEquals("done", state.get("output").asText());
    assertEquals(3, state.get("usage").get("inputTokens").asInt());
    assertEquals(5, state.get("total").asInt());
    assertTrue(state.get("hasMore").asBoolean());
    assertEquals(2, state.get("messages").size());
    assertEquals("m1", state.get("messages").get(0).get("content").asText());
    assertTrue(state.get("messages").get(0).get("thinking").isNull(), "no thinking by default");
    JsonNode thinking =
        TestServer.json(server.get("/agent/state/projected-1?offset=1&limit=1&includeThinking=true"));
    assertEquals("thought1", thinking.get("messages").get(0).get("thinking").asText());
    JsonNode last = TestServer.json(server.get("/agent/state/projected-1?offset=4"));
    assertFalse(last.get("hasMore").asBoolean());
    assertEquals(1, last.get("messages").size());
  }

  @Test
  void stateOfARunNotProjectedYetIsTheLiveRun() {
    String runId = server.execute("slow", "not projected");
    try {
      HttpResponse<String> response = server.get("/agent/state/" + runId);
      assertEquals(200, response.statusCode(), response.body());
      JsonNode state = TestServer.json(response);
      assertFalse(state.get("projected").asBoolean());
      assertEquals(runId, state.get("runId").asText());
      assertEquals("slow", state.get("agentType").asText());
      assertEquals("running", state.get("status").asText());
      assertEquals(0, state.get("messages").size());
    } finally {
      server.postJson("/agent/abort/" + runId, "{}");
    }
  }

  @Test
  void stateOfAnUnknownRunIs404() {
    HttpResponse<String> response = server.get("/agent/state/no-such-run");
    assertEquals(404, response.statusCode());
    assertEquals("urn:helix:problem:run-not-found", Json.parse(response.body()).get("type").asText());
  }

  @Test
  void runsAreListedWithFiltersAndCursorPaging() {
    for (int i = 0; i < 5; i++) {
      server.history.put(row("list-" + i, "lister", RunStatus.completed, 10_000 + i, null), List.of());
    }
    server.history.put(row("list-child", "lister", RunStatus.running, 20_000, "list-0"), List.of());
    JsonNode first = TestServer.json(server.get("/agent/runs?agentType=lister&rootsOnly=true&limit=3"));
    assertEquals(3, first.get("runs").size());
    assertEquals("list-4", first.get("runs").get(0).get("runId").asText());
    String cursor = first.get("nextCursor").asText();
    JsonNode second =
        TestServer.json(
            server.get("/agent/runs?agentType=lister&rootsOnly=true&limit=3&cursor=" + cursor));
    assertEquals(2, second.get("runs").size());
    assertTrue(second.get("nextCursor").isNull());
    JsonNode running =
        TestServer.json(
            server.get(
                "/agent/runs?agentType=lister&status=running"
                    + "&createdFrom=2026-01-01T00:00:00Z&createdBefore=1900000000000"));
    assertEquals(1, running.get("runs").size());
    assertEquals("list-0", running.get("runs").get(0).get("parentAgentId").asText());
    var filter = server.history.filters.get(server.history.filters.size() - 1);
    assertEquals(RunStatus.running, filter.status());
    assertEquals("2026-01-01T00:00:00Z", filter.createdFrom().toString());
    assertEquals(1_900_000_000_000L, filter.createdBefore().toEpochMilli());
  }

  @Test
  void badRunsQueriesAre400() {
    for (String query :
        List.of(
            "status=RUNNING", "status=done", "limit=0", "limit=1001", "limit=x", "rootsOnly=yes",
            "createdFrom=yesterday", "createdBefore=2026-13-01", "cursor=not-a-cursor", "colour=red")) {
      HttpResponse<String> response = server.get("/agent/runs?" + query);
      assertEquals(400, response.statusCode(), query + ": " + response.body());
      assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
    }
  }

  @Test
  void withoutHistoryRunsIs503AndStateIsLive() {
    URI bare = server.bind(server.runtime.executor, server.settings, null);
    HttpResponse<String> runs =
        server.send(java.net.http.HttpRequest.newBuilder(bare.resolve("/agent/runs")).GET());
    assertEquals(503, runs.statusCode(), runs.body());
    String runId = server.execute("adder", "x");
    HttpResponse<String> state =
        server.send(java.net.http.HttpRequest.newBuilder(bare.resolve("/agent/state/" + runId)).GET());
    assertEquals(200, state.statusCode(), state.body());
    assertFalse(Json.parse(state.body()).get("projected").asBoolean());
  }

  @Test
  void agentsListEveryToolAsTheModelSeesIt() {
    JsonNode agents = TestServer.json(server.get("/agent/agents")).get("agents");
    JsonNode adder = null;
    for (JsonNode agent : agents) {
      if (agent.get("name").asText().equals("planner")) {
        adder = agent;
      }
    }
    List<String> names = new ArrayList<>();
    adder.get("tools").forEach(tool -> names.add(tool.get("name").asText()));
    assertEquals(List.of("subagent__helper", "__finish__"), names);
    assertEquals("subagent", adder.get("tools").get(0).get("kind").asText());
    assertEquals("finish", adder.get("tools").get(1).get("kind").asText());
    assertTrue(adder.get("tools").get(1).get("inputSchema").has("properties"));
    assertEquals("helper", adder.get("subAgents").get(0).asText());
    assertEquals("object", adder.get("outputSchema").get("type").asText());
  }

  /** The long-poll waits on the run's result, never on a subscription to its stream. */
  @Test
  void resultLongPollDoesNotSubscribeToTheStream() {
    AtomicInteger subscriptions = new AtomicInteger();
    AgentExecutor counting = new AgentExecutor() {
      @Override
      public CompletionStage<AgentHandle> execute(io.helix.agent.RunRequest request) {
        return server.runtime.executor.execute(request);
      }

      @Override
      public CompletionStage<Optional<AgentHandle>> getHandle(String runId) {
        return server.runtime.executor.getHandle(runId).thenApply(found -> found.map(handle ->
            new AgentHandle() {
              public String runId() { return handle.runId(); }
              public CompletionStage<RunResult> result() { return handle.result(); }
              public CompletionStage<RunResult> result(java.time.Duration atMost) {
                return handle.result(atMost);
              }
              public CompletionStage<RunResult> status() { return handle.status(); }
              public Source<StreamChunk, NotUsed> stream(long from) {
                subscriptions.incrementAndGet();
                return handle.stream(from);
              }
              public CompletionStage<RunResult> abort(String reason) { return handle.abort(reason); }
            }));
      }
    };
    URI base = server.bind(counting, server.settings, server.history);
    String runId = server.execute("medium", "poll me");
    long started = System.nanoTime();
    HttpResponse<String> done =
        server.send(java.net.http.HttpRequest.newBuilder(base.resolve("/agent/result/" + runId + "?wait=5")).GET());
    assertEquals("completed", Json.parse(done.body()).get("status").asText(), done.body());
    String slow = server.execute("slow", "poll me");
    try {
      long before = System.nanoTime();
      HttpResponse<String> running =
          server.send(java.net.http.HttpRequest.newBuilder(base.resolve("/agent/result/" + slow + "?wait=0.5")).GET());
      long millis = (System.nanoTime() - before) / 1_000_000;
      assertEquals("running", Json.parse(running.body()).get("status").asText());
      assertTrue(millis >= 450 && millis < 5000, "waited " + millis + " ms");
    } finally {
      server.postJson("/agent/abort/" + slow, "{}");
    }
    assertEquals(0, subscriptions.get(), "no stream subscribed");
    assertTrue(System.nanoTime() - started > 0);
  }
}
