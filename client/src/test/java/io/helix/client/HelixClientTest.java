package io.helix.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.client.FakeHelixServer.Answer;
import io.helix.client.FakeHelixServer.Request;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request/response operations over real HTTP on loopback: what is sent, what is read. */
class HelixClientTest {

  private static final String JSON = "application/json";
  private static final String RUNNING =
      "{\"runId\":\"r 1\",\"agentType\":\"research\",\"status\":\"running\",\"output\":null,"
          + "\"error\":null,\"aborted\":false,\"abortReason\":null,\"steps\":1,"
          + "\"usage\":{\"inputTokens\":10,\"outputTokens\":5},\"state\":{},\"parentRunId\":null,"
          + "\"streamId\":\"r 1\"}";
  private static final String COMPLETED =
      RUNNING.replace("\"running\"", "\"completed\"").replace("\"output\":null", "\"output\":\"42\"");

  private FakeHelixServer server;
  private HelixClient client;

  @BeforeEach
  void start() throws Exception {
    server = new FakeHelixServer(List.of());
    client = HelixClient.builder(server.uri() + "/").bearerToken("tok-1").build();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Request only(String pathPrefix) {
    List<Request> requests = server.requestsTo(pathPrefix);
    assertEquals(1, requests.size(), requests.toString());
    return requests.get(0);
  }

  private static JsonNode json(String text) throws IOException {
    return Transport.MAPPER.readTree(text);
  }

  @Test
  void executeSendsTheRunAndReadsTheAnswer() throws Exception {
    server.answer("POST /agent/execute", new Answer(202, JSON,
        "{\"runId\":\"my-1\",\"streamUrl\":\"/agent/stream/my-1\",\"resultUrl\":\"/agent/result/my-1\"}"));
    Execution run = client.execute("research", "What is \"6*7\"?", "my-1");
    assertEquals(new Execution("my-1", "/agent/stream/my-1", "/agent/result/my-1"), run);
    Request request = only("/agent/execute");
    assertEquals(
        json("{\"agentType\":\"research\",\"message\":\"What is \\\"6*7\\\"?\",\"runId\":\"my-1\"}"),
        json(request.body()));
    assertEquals(JSON, request.header("Content-Type"));
    assertEquals("Bearer tok-1", request.header("Authorization"));
    client.execute("research", "again");
    assertFalse(json(server.requestsTo("/agent/execute").get(1).body()).has("runId"));
  }

  @Test
  void anErrorAnswerIsAHelixApiExceptionWithTheProblem() {
    server.answer("POST /agent/execute", new Answer(404, "application/problem+json",
        FakeHelixServer.problem(404, "unknown-agent", "Unknown agent type", "no agent 'nope'")));
    HelixApiException error =
        assertThrows(HelixApiException.class, () -> client.execute("nope", "hi"));
    assertEquals(404, error.status());
    assertEquals("urn:helix:problem:unknown-agent", error.type());
    assertEquals("unknown-agent", error.kind());
    assertEquals("Unknown agent type", error.title());
    assertEquals("no agent 'nope'", error.detail());
    assertTrue(error.requestId().startsWith("req-"));
    assertEquals("404 Unknown agent type: no agent 'nope'", error.getMessage());

    server.answer("GET /agent/agents", new Answer(502, "text/html", "<h1>Bad gateway</h1>"));
    HelixApiException proxy = assertThrows(HelixApiException.class, client::agents);
    assertEquals(502, proxy.status());
    assertEquals(HelixApiException.ABOUT_BLANK, proxy.type());
    assertEquals("<h1>Bad gateway</h1>", proxy.detail());
    assertNull(proxy.problem());
  }

  @Test
  void anUnreachableServerIsAHelixException() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    HelixClient nowhere = HelixClient.create("http://127.0.0.1:" + closedPort);
    HelixException error = assertThrows(HelixException.class, () -> nowhere.result("r"));
    assertFalse(error instanceof HelixApiException);
    assertTrue(error.getCause() instanceof IOException, String.valueOf(error.getCause()));
  }

  @Test
  void resultWaitsByLongPollingUntilTheRunEnds() {
    server.answer("GET /agent/result/r 1",
        new Answer(200, JSON, RUNNING), new Answer(200, JSON, RUNNING), new Answer(200, JSON, COMPLETED));
    RunResult now = client.result("r 1");
    assertEquals(RunStatus.RUNNING, now.status());
    assertEquals(new TokenUsage(10, 5), now.usage());
    assertNull(now.outputText());
    assertNull(server.requests.get(0).query());
    assertEquals("/agent/result/r%201", server.requests.get(0).path(), "the id is encoded");

    RunResult result = client.result("r 1", Duration.ofSeconds(20));
    assertEquals(RunStatus.COMPLETED, result.status());
    assertEquals("42", result.outputText());
    assertEquals("r 1", result.streamId());
    List<Request> polls = server.requestsTo("/agent/result/");
    assertEquals(3, polls.size());
    assertTrue(polls.get(1).query().matches("wait=(19|20)\\.\\d{3}"), polls.get(1).query());
  }

  @Test
  void abortSendsTheReason() throws Exception {
    String aborted =
        RUNNING.replace("\"running\"", "\"failed\"").replace("\"aborted\":false", "\"aborted\":true")
            .replace("\"abortReason\":null", "\"abortReason\":\"enough\"");
    server.answer("POST /agent/abort/r 1", new Answer(200, JSON, aborted));
    RunResult result = client.abort("r 1", "enough");
    assertEquals(RunStatus.FAILED, result.status());
    assertTrue(result.aborted());
    assertEquals("enough", result.abortReason());
    assertEquals(json("{\"reason\":\"enough\"}"), json(only("/agent/abort/").body()));
  }

  @Test
  void aPersonInTheLoopApprovesAnswersInterruptsAndResumes() throws Exception {
    String suspended =
        RUNNING.replace("\"running\"", "\"suspended\"")
            .replace("\"streamId\":\"r 1\"}", "\"streamId\":\"r 1\",\"pending\":[{\"kind\":\"approval\","
                + "\"runId\":\"r 1\",\"toolCallId\":\"c1\",\"approvalId\":\"a1\",\"toolName\":\"send_email\","
                + "\"input\":{}}]}");
    server.answer("POST /agent/approve/r 1", new Answer(200, JSON, suspended));
    RunResult waiting = client.approve("r 1", "a1", false, "not now");
    assertEquals(RunStatus.SUSPENDED, waiting.status());
    assertEquals("a1", waiting.pending().get(0).get("approvalId").asText());
    assertEquals(
        json("{\"approvalId\":\"a1\",\"approved\":false,\"reason\":\"not now\"}"),
        json(only("/agent/approve/").body()));

    server.answer("POST /agent/tool-result/r 1", new Answer(200, JSON, RUNNING));
    client.submitToolResult("r 1", "c2", json("{\"city\":\"Lisbon\"}"));
    assertEquals(
        json("{\"toolCallId\":\"c2\",\"result\":{\"city\":\"Lisbon\"}}"),
        json(only("/agent/tool-result/").body()));

    server.answer("POST /agent/interrupt/r 1", new Answer(200, JSON, RUNNING.replace("\"running\"", "\"interrupted\"")));
    assertEquals(RunStatus.INTERRUPTED, client.interrupt("r 1", "wait").status());
    assertEquals(json("{\"reason\":\"wait\"}"), json(only("/agent/interrupt/").body()));

    server.answer("POST /agent/resume/r 1", new Answer(200, JSON, RUNNING));
    assertEquals(RunStatus.RUNNING, client.resume("r 1", "go on").status());
    assertEquals(json("{\"message\":\"go on\"}"), json(only("/agent/resume/").body()));
  }

  @Test
  void stateReadsTheRunAndAPageOfMessages() {
    server.answer("GET /agent/state/r1", new Answer(200, JSON,
        "{\"runId\":\"r1\",\"agentType\":\"research\",\"streamId\":\"r1\",\"status\":\"completed\","
            + "\"stepCount\":2,\"customState\":{\"n\":1},\"output\":\"42\",\"error\":null,"
            + "\"parentAgentId\":null,\"aborted\":false,\"abortReason\":null,"
            + "\"usage\":{\"inputTokens\":3,\"outputTokens\":4},\"createdAt\":\"2026-01-31T12:00:00Z\","
            + "\"updatedAt\":\"2026-01-31T12:00:05Z\",\"projected\":true,\"messages\":["
            + "{\"sequence\":1,\"role\":\"assistant\",\"content\":\"ok\",\"toolCalls\":[{\"id\":\"c1\","
            + "\"name\":\"calculator\",\"arguments\":{\"expression\":\"6*7\"}}],\"toolCallId\":null,"
            + "\"toolName\":null,\"thinking\":\"hmm\",\"error\":null,\"createdAt\":\"2026-01-31T12:00:01Z\"}],"
            + "\"offset\":1,\"total\":3,\"hasMore\":true,\"someNewField\":7}"));
    RunState state = client.state("r1", 1, 1, true);
    assertEquals("offset=1&limit=1&includeThinking=true", sorted(only("/agent/state/").query()));
    assertTrue(state.projected());
    assertEquals(RunStatus.COMPLETED, state.run().status());
    assertEquals(Instant.parse("2026-01-31T12:00:00Z"), state.run().createdAt());
    assertEquals(1, state.run().customState().get("n").asInt());
    assertEquals(7, state.run().json().get("someNewField").asInt(), "unknown fields are kept");
    assertEquals(3, state.total());
    assertTrue(state.hasMore());
    Message message = state.messages().get(0);
    assertEquals("assistant", message.role());
    assertEquals("calculator", message.toolCalls().get(0).get("name").asText());
    assertEquals("hmm", message.thinking());
    assertEquals(Instant.parse("2026-01-31T12:00:01Z"), message.createdAt());
  }

  private static String sorted(String query) {
    List<String> order = List.of("offset", "limit", "includeThinking");
    return java.util.Arrays.stream(query.split("&"))
        .sorted(java.util.Comparator.comparing(p -> order.indexOf(p.substring(0, p.indexOf('=')))))
        .reduce((a, b) -> a + "&" + b)
        .orElse("");
  }

  @Test
  void runsSendsTheFilterAndReadsThePage() {
    server.answer("GET /agent/runs", new Answer(200, JSON,
        "{\"runs\":[{\"runId\":\"a\",\"agentType\":\"research\",\"streamId\":\"a\","
            + "\"status\":\"completed\",\"parentAgentId\":null,\"createdAt\":\"2026-01-31T12:00:00Z\"},"
            + "{\"runId\":\"a/b\",\"agentType\":\"analyzer\",\"streamId\":\"a\",\"status\":\"running\","
            + "\"parentAgentId\":\"a\"}],\"nextCursor\":\"c+/=\"}"));
    RunFilter filter =
        RunFilter.all()
            .withStatus(RunStatus.COMPLETED)
            .withAgentType("research")
            .createdBetween(Instant.parse("2026-01-01T00:00:00Z"), null)
            .withRootsOnly(true)
            .withLimit(2);
    RunPage page = client.runs(filter);
    assertEquals(
        "status=completed&agentType=research&createdFrom=2026-01-01T00%3A00%3A00Z&rootsOnly=true&limit=2",
        only("/agent/runs").query());
    assertEquals(List.of("a", "a/b"), page.runs().stream().map(RunSummary::runId).toList());
    assertEquals("a", page.runs().get(1).parentRunId());
    assertEquals(RunStatus.RUNNING, page.runs().get(1).status());
    assertTrue(page.hasMore());
    client.runs(filter.withCursor(page.nextCursor()));
    assertTrue(server.requestsTo("/agent/runs").get(1).query().endsWith("&cursor=c%2B%2F%3D"));
    assertThrows(IllegalArgumentException.class, () -> RunFilter.all().withLimit(0));
  }

  @Test
  void agentsReadsTheAgentsAndTheirTools() {
    server.answer("GET /agent/agents", new Answer(200, JSON,
        "{\"agents\":[{\"name\":\"research\",\"description\":\"d\",\"model\":\"offline:builtin\","
            + "\"maxSteps\":20,\"maxTokens\":50000,\"outputSchema\":null,\"subAgents\":[\"analyzer\"],\"tools\":["
            + "{\"name\":\"calculator\",\"description\":\"c\",\"inputSchema\":{\"type\":\"object\"},"
            + "\"kind\":\"tool\"},{\"name\":\"__finish__\",\"kind\":\"finish\"}]}]}"));
    List<AgentInfo> agents = client.agents();
    assertEquals(1, agents.size());
    AgentInfo research = agents.get(0);
    assertEquals("offline:builtin", research.model());
    assertEquals(20, research.maxSteps());
    assertEquals(50_000, research.maxTokens());
    assertNull(research.outputSchema());
    assertEquals(List.of("analyzer"), research.subAgents());
    assertEquals(List.of("tool", "finish"), research.tools().stream().map(AgentInfo.Tool::kind).toList());
    assertEquals("object", research.tools().get(0).inputSchema().get("type").asText());
  }
}
