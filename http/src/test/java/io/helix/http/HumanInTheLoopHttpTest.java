package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.testkit.HitlAgents;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Approvals, client tools, interrupt and resume over HTTP, with a real client over loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HumanInTheLoopHttpTest {

  private final TestServer server = new TestServer();

  @AfterAll
  void stop() {
    server.close();
  }




  private static void assertProblem(int status, HttpResponse<String> response) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        "application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
  }

  @Test
  void approveOnceAnswerTheSameAgainRefuseADifferentDecisionAndUnknownIds() {
    server.execute("hitl", "send it", "http-approve-1");
    JsonNode suspended = server.settled("http-approve-1", "suspended");
    JsonNode pending = suspended.get("pending").get(0);
    assertEquals("approval", pending.get("kind").asText());
    assertEquals("send", pending.get("toolName").asText());
    assertEquals("http-approve-1", pending.get("runId").asText());
    String approvalId = pending.get("approvalId").asText();

    JsonNode state = TestServer.json(server.get("/agent/state/http-approve-1"));
    assertEquals("suspended", state.get("status").asText());
    assertEquals(approvalId, state.get("pending").get(0).get("approvalId").asText());

    int sentBefore = HitlAgents.SENT.get();
    assertProblem(404, server.postJson("/agent/approve/http-approve-1", "{\"approvalId\":\"nope\",\"approved\":true}"));
    assertProblem(400, server.postJson("/agent/approve/http-approve-1", "{\"approvalId\":\"" + approvalId + "\"}"));
    assertProblem(404, server.postJson("/agent/approve/no-such-run", "{\"approvalId\":\"x\",\"approved\":true}"));
    String approve = "{\"approvalId\":\"" + approvalId + "\",\"approved\":true,\"reason\":\"ok\"}";
    HttpResponse<String> approved = server.postJson("/agent/approve/http-approve-1", approve);
    assertEquals(200, approved.statusCode(), approved.body());
    JsonNode done = server.settled("http-approve-1", "completed");
    assertTrue(done.get("output").asText().contains("bob@example.com"), done.toString());
    assertEquals(sentBefore + 1, HitlAgents.SENT.get());

    assertEquals(200, server.postJson("/agent/approve/http-approve-1", approve).statusCode());
    assertProblem(
        409,
        server.postJson(
            "/agent/approve/http-approve-1",
            "{\"approvalId\":\"" + approvalId + "\",\"approved\":false}"));
    assertEquals(sentBefore + 1, HitlAgents.SENT.get());
  }

  @Test
  void aDenialReachesTheModel() {
    server.execute("hitl", "send it", "http-deny-1");
    String approvalId =
        server.settled("http-deny-1", "suspended").get("pending").get(0).get("approvalId").asText();
    HttpResponse<String> denied =
        server.postJson(
            "/agent/approve/http-deny-1",
            "{\"approvalId\":\"" + approvalId + "\",\"approved\":false,\"reason\":\"no mail today\"}");
    assertEquals(200, denied.statusCode(), denied.body());
    JsonNode done = server.settled("http-deny-1", "completed");
    assertTrue(done.get("output").asText().contains("no mail today"), done.toString());
  }

  @Test
  void aClientToolResultIsValidatedAndContinuesTheRun() {
    server.execute("hitl", "where am I", "http-client-1");
    JsonNode pending = server.settled("http-client-1", "suspended").get("pending").get(0);
    assertEquals("client_tool", pending.get("kind").asText());
    String path = "/agent/tool-result/http-client-1";
    assertProblem(400, server.postJson(path, "{\"toolCallId\":\"call-where\",\"result\":{\"town\":1}}"));
    assertProblem(400, server.postJson(path, "{\"toolCallId\":\"call-where\",\"result\":{},\"error\":\"x\"}"));
    assertProblem(404, server.postJson(path, "{\"toolCallId\":\"nope\",\"result\":{}}"));
    assertEquals("suspended", server.result("http-client-1").get("status").asText(), "still waiting");
    HttpResponse<String> given =
        server.postJson(path, "{\"toolCallId\":\"call-where\",\"result\":{\"city\":\"Oslo\"}}");
    assertEquals(200, given.statusCode(), given.body());
    assertTrue(server.settled("http-client-1", "completed").get("output").asText().contains("Oslo"));
    assertProblem(409, server.postJson(path, "{\"toolCallId\":\"call-where\",\"error\":\"late\"}"));
  }

  @Test
  void interruptWithinASecondThenResumeWithAMessage() throws Exception {
    server.execute("hitl", "a long story", "http-interrupt-1");
    Thread.sleep(300);
    assertProblem(
        409,
        server.postJson("/agent/approve/http-interrupt-1", "{\"approvalId\":\"x\",\"approved\":true}"));
    assertProblem(409, server.postJson("/agent/resume/http-interrupt-1", "{}"));
    long start = System.nanoTime();
    HttpResponse<String> interrupted =
        server.postJson("/agent/interrupt/http-interrupt-1", "{\"reason\":\"hold on\"}");
    assertEquals(200, interrupted.statusCode(), interrupted.body());
    assertEquals("interrupted", TestServer.json(interrupted).get("status").asText());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 1000);
    assertEquals("interrupted", server.result("http-interrupt-1").get("status").asText());

    HttpResponse<String> resumed =
        server.postJson("/agent/resume/http-interrupt-1", "{\"message\":\"in short\"}");
    assertEquals(200, resumed.statusCode(), resumed.body());
    JsonNode done = server.settled("http-interrupt-1", "completed");
    assertEquals("you said: in short", done.get("output").asText());
    assertProblem(409, server.postJson("/agent/resume/http-interrupt-1", "{}"));
    assertProblem(409, server.postJson("/agent/interrupt/http-interrupt-1", "{}"));
    assertProblem(400, server.postJson("/agent/resume/http-interrupt-1", "{\"msg\":\"x\"}"));
  }

  @Test
  void runsCanBeListedByTheNewStatuses() {
    HttpResponse<String> response = server.get("/agent/runs?status=suspended");
    assertTrue(response.statusCode() == 200 || response.statusCode() == 503, response.body());
    assertProblem(400, server.get("/agent/runs?status=sleeping"));
  }
}
