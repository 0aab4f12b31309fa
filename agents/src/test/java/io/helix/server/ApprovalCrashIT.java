package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.testkit.TestRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The packaged server killed with {@code kill -9} while a run waits for a person's approval: after
 * the restart the run is still suspended with the same pending approval; approving it runs the tool
 * once, the model response that asked for it is not requested again, and the run completes. The
 * {@code assistant} example agent on the offline model, whose {@code send_email} needs approval.
 */
@Tag("slow")
class ApprovalCrashIT {

  /** Starts the server and a run that asks to send an email; answers the run once it waits. */
  private static JsonNode startSuspended(ServerProcess server, String runId) throws Exception {
    server.start();
    server.post(
        "/agent/execute",
        "{\"agentType\":\"assistant\",\"message\":\"Please email Bob that the report is ready\","
            + "\"runId\":\"" + runId + "\"}");
    TestRuntime.awaitCondition(() -> "suspended".equals(server.status(runId)), Duration.ofSeconds(30));
    return server.get("/agent/result/" + runId).body();
  }

  @Test
  void aSuspendedRunWaitsThroughKill9AndGoesOnWhenApproved() throws Exception {
    Path dir = Files.createTempDirectory("helix-approval-crash");
    String runId = "approval-crash-1";
    JsonNode pendingBefore;
    try (ServerProcess server = new ServerProcess(dir, Map.of(), List.of("-Dhelix.offline-model.pause=1ms"))) {
      JsonNode waiting = startSuspended(server, runId);
      pendingBefore = waiting.get("pending").get(0);
      assertEquals("approval", pendingBefore.get("kind").asText(), waiting.toString());
      assertEquals("send_email", pendingBefore.get("toolName").asText());
      assertEquals(1, waiting.get("steps").asInt(), "the model asked for the email at step 1");
      server.kill(); // kill -9 while the run waits for a person
    }
    try (ServerProcess server = new ServerProcess(dir, Map.of(), List.of("-Dhelix.offline-model.pause=1ms"))) {
      server.start();
      JsonNode after = server.get("/agent/result/" + runId).body();
      assertEquals("suspended", after.get("status").asText(), after.toString());
      assertEquals(pendingBefore, after.get("pending").get(0), "the same pending approval");

      ServerProcess.Reply approved =
          server.post(
              "/agent/approve/" + runId,
              "{\"approvalId\":\"" + pendingBefore.get("approvalId").asText() + "\",\"approved\":true}");
      assertEquals(200, approved.status(), approved.body().toString());
      TestRuntime.awaitCondition(() -> "completed".equals(server.status(runId)), Duration.ofSeconds(30));
      JsonNode done = server.get("/agent/result/" + runId).body();
      JsonNode outbox = done.get("state").get("outbox");
      assertEquals(1, outbox.size(), "the approved tool ran once: " + done);
      assertEquals("someone@example.com", outbox.get(0).get("to").asText());
      assertEquals(2, done.get("steps").asInt(), "step 1 was not asked again: " + done);

      // the same decision again is answered as the first time; nothing runs twice
      ServerProcess.Reply again =
          server.post(
              "/agent/approve/" + runId,
              "{\"approvalId\":\"" + pendingBefore.get("approvalId").asText() + "\",\"approved\":true}");
      assertTrue(again.status() == 200 || again.status() == 409, again.body().toString());
      assertEquals(1, server.get("/agent/result/" + runId).body().get("state").get("outbox").size());
    }
  }

  /**
   * With {@code helix.run.approval-timeout}, a run killed while it waits and started again past its
   * approval's expiry (counted from the persisted request) has it expire at once: denied as
   * expired, the model hears it, nothing is sent, and the run completes.
   */
  @Test
  void anApprovalPastItsExpiryAfterKill9ExpiresAtOnce() throws Exception {
    Path dir = Files.createTempDirectory("helix-approval-expiry");
    String runId = "approval-expiry-1";
    List<String> options =
        List.of("-Dhelix.offline-model.pause=1ms", "-Dhelix.run.approval-timeout=4s");
    long suspendedAt;
    String approvalId;
    try (ServerProcess server = new ServerProcess(dir, Map.of(), options)) {
      approvalId = startSuspended(server, runId).get("pending").get(0).get("approvalId").asText();
      suspendedAt = System.currentTimeMillis();
      server.kill(); // kill -9 well before the expiry
    }
    TestRuntime.awaitCondition(
        () -> System.currentTimeMillis() > suspendedAt + 4_000, Duration.ofSeconds(10));
    try (ServerProcess server = new ServerProcess(dir, Map.of(), options)) {
      server.start();
      TestRuntime.awaitCondition(() -> "completed".equals(server.status(runId)), Duration.ofSeconds(30));
      JsonNode done = server.get("/agent/result/" + runId).body();
      assertTrue(
          done.get("state").path("outbox").isMissingNode() || done.get("state").get("outbox").isEmpty(),
          "nothing was sent: " + done);
      assertEquals(2, done.get("steps").asInt(), "the model heard the expiry at step 2: " + done);
      ServerProcess.Reply late =
          server.post(
              "/agent/approve/" + runId,
              "{\"approvalId\":\"" + approvalId + "\",\"approved\":true}");
      assertEquals(409, late.status(), late.body().toString());
      assertTrue(late.body().toString().contains("approval expired after PT4S"), late.body().toString());
    }
  }
}
