package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.PendingRequest;
import io.helix.agent.RunStatus;
import io.helix.history.AgentStateRow;
import io.helix.model.TokenUsage;
import io.helix.testkit.HitlAgents;
import io.helix.testkit.TestRuntime;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A sub-agent's run that waits for a person, seen and answered at its root over HTTP: the root
 * shows itself suspended with the child's requests (and the child's run id), and an approval or a
 * client tool's result works at the root's id as at the child's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubAgentRequestsHttpTest {

  private final TestServer server =
      new TestServer(
          "",
          agents -> agents.register(HitlAgents.parent("delegator", "hitl:test")),
          models -> {});

  @AfterAll
  void stop() {
    server.close();
  }




  /** The root suspended with its child's one request, which names the child's run. */
  private JsonNode childRequest(String rootId) {
    JsonNode root = server.settled(rootId, "suspended");
    assertEquals(1, root.get("pending").size(), root.toString());
    JsonNode request = root.get("pending").get(0);
    String childId = request.get("runId").asText();
    assertNotEquals(rootId, childId, "the child's run id");
    JsonNode child = server.result(childId);
    assertEquals("suspended", child.get("status").asText());
    assertEquals(rootId, child.get("parentRunId").asText());
    assertEquals(request, child.get("pending").get(0), "the same request at the child");
    return request;
  }

  @Test
  void theRootShowsTheChildsApprovalAndApprovingItAtTheRootCompletesBoth() {
    server.execute("delegator", "delegate send it", "sub-approve-root");
    JsonNode request = childRequest("sub-approve-root");
    assertEquals("approval", request.get("kind").asText());
    assertEquals("send", request.get("toolName").asText());
    String childId = request.get("runId").asText();

    JsonNode state = TestServer.json(server.get("/agent/state/sub-approve-root"));
    assertEquals("suspended", state.get("status").asText(), state.toString());
    assertEquals(childId, state.get("pending").get(0).get("runId").asText());

    // the root's stream: the child's request, and the root suspended with it
    try (SseStream stream =
        SseStream.open(
            server.client,
            server.request("/agent/stream/sub-approve-root").timeout(TestServer.DEADLINE).GET().build())) {
      TestRuntime.awaitCondition(
          () -> stream.events.stream().anyMatch(e -> rootSuspended(e, "sub-approve-root", childId)),
          Duration.ofSeconds(10));
      JsonNode asked =
          stream.events.stream()
              .filter(e -> e.type().equals("tool_approval_request"))
              .findFirst()
              .orElseThrow()
              .json();
      assertEquals(childId, asked.get("runId").asText());
      assertEquals(request.get("approvalId").asText(), asked.get("approvalId").asText());
    }

    int sentBefore = HitlAgents.SENT.get();
    HttpResponse<String> approved = decide("sub-approve-root", request, true);
    assertEquals(200, approved.statusCode(), approved.body());
    assertEquals(childId, TestServer.json(approved).get("runId").asText(), "the run that waited answers");
    JsonNode done = server.settled("sub-approve-root", "completed");
    assertTrue(done.get("output").asText().contains("bob@example.com"), done.toString());
    assertTrue(done.path("pending").isMissingNode() || done.get("pending").isEmpty());
    assertEquals("completed", server.result(childId).get("status").asText());
    assertEquals(sentBefore + 1, HitlAgents.SENT.get());
  }

  /** Approves or denies ("not today") the request at run {@code runId}. */
  private HttpResponse<String> decide(String runId, JsonNode request, boolean approved) {
    return server.postJson(
        "/agent/approve/" + runId,
        "{\"approvalId\":\"" + request.get("approvalId").asText() + "\",\"approved\":"
            + approved + ",\"reason\":\"not today\"}");
  }

  private static boolean rootSuspended(SseStream.Event event, String rootId, String childId) {
    JsonNode chunk = event.json();
    return chunk.get("type").asText().equals("run_status")
        && chunk.get("runId").asText().equals(rootId)
        && chunk.get("status").asText().equals("suspended")
        && chunk.get("pending").get(0).get("runId").asText().equals(childId);
  }

  @Test
  void approvingAtTheChildsIdCompletesTheRoot() {
    server.execute("delegator", "delegate send it", "sub-approve-child");
    JsonNode request = childRequest("sub-approve-child");
    String childId = request.get("runId").asText();
    HttpResponse<String> denied = decide(childId, request, false);
    assertEquals(200, denied.statusCode(), denied.body());
    JsonNode done = server.settled("sub-approve-child", "completed");
    assertTrue(done.get("output").asText().contains("not today"), done.toString());
  }

  @Test
  void aChildsClientToolTakesItsResultAtTheRoot() {
    server.execute("delegator", "delegate where am I", "sub-client-root");
    JsonNode request = childRequest("sub-client-root");
    assertEquals("client_tool", request.get("kind").asText());
    String path = "/agent/tool-result/sub-client-root";
    HttpResponse<String> invalid =
        server.postJson(path, "{\"toolCallId\":\"call-where\",\"result\":{\"town\":1}}");
    assertEquals(400, invalid.statusCode(), "validated by the child: " + invalid.body());
    HttpResponse<String> given =
        server.postJson(path, "{\"toolCallId\":\"call-where\",\"result\":{\"city\":\"Oslo\"}}");
    assertEquals(200, given.statusCode(), given.body());
    JsonNode done = server.settled("sub-client-root", "completed");
    assertTrue(done.get("output").asText().contains("Oslo"), done.toString());
  }

  @Test
  void aProjectedRowOfTheRootShowsTheLiveWait() {
    server.execute("delegator", "delegate send it", "sub-projected");
    JsonNode request = childRequest("sub-projected");
    // the read model's row of the root: running, as its own events make it
    server.history.put(
        new AgentStateRow(
            "sub-projected", "delegator", "sub-projected", RunStatus.running, 1, null, null, null,
            null, false, null, TokenUsage.ZERO, 1L, 2L, List.<PendingRequest>of()),
        List.of());
    JsonNode state = TestServer.json(server.get("/agent/state/sub-projected"));
    assertTrue(state.get("projected").asBoolean());
    assertEquals("suspended", state.get("status").asText(), state.toString());
    assertEquals(request, state.get("pending").get(0));
    assertEquals(200, decide("sub-projected", request, true).statusCode());
    server.settled("sub-projected", "completed");
  }
}
