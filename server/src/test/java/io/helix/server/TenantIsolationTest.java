package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentDefinition;
import io.helix.model.ScriptedModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of alice's runs and sessions answers 404 to bob, also through a reused runId
 * key or session id; lists are each principal's own; an admin sees all, and one owner's with
 * {@code ?owner=}.
 */
class TenantIsolationTest {

  private static final String ALICE = "alice-token-0123456789abcdefghijklmnop";
  private static final String BOB = "bob-token-0123456789abcdefghijklmnopqrs";
  private static final String OPS = "ops-token-0123456789abcdefghijklmnopqrs";

  @Test
  void anotherPrincipalFindsNothingOfAlicesAndAnAdminSeesAll() throws Exception {
    Path dir = Files.createTempDirectory("helix-tenants");
    ScriptedModel model = new ScriptedModel(request -> ScriptedModel.answer("ok"));
    AgentDefinition chat =
        AgentDefinition.builder("chat").model("scripted:test").systemPrompt("Talk.").build();
    Map<String, Object> auth =
        Map.of(
            "helix.http.auth.tokens", "alice:" + ALICE + ",bob:" + BOB + ",ops:" + OPS,
            "helix.http.auth.admins", "ops");
    try (Node node = Node.start(dir, auth, model, chat)) {
      JsonNode alices =
          node.run("{\"agentType\":\"chat\",\"message\":\"hi\",\"runId\":\"k1\"}", ALICE);
      String runId = alices.get("runId").asText();
      assertNotEquals("k1", runId, "a named principal's key is scoped: the run id is derived");
      assertEquals("alice", alices.get("owner").asText());
      JsonNode again =
          node.post("/agent/execute", "{\"agentType\":\"chat\",\"message\":\"hi\",\"runId\":\"k1\"}", ALICE).json();
      assertEquals(runId, again.get("runId").asText(), "the same key is the same run (idempotent)");
      JsonNode turn =
          node.run("{\"agentType\":\"chat\",\"message\":\"hello\",\"sessionId\":\"s\"}", ALICE);
      String turnId = turn.get("runId").asText();

      // bob: 404 for everything of alice's
      List<String> leaks = new ArrayList<>();
      for (String path :
          List.of(
              "/agent/result/" + runId,
              "/agent/state/" + runId,
              "/agent/stream/" + runId,
              "/agent/result/" + turnId,
              "/agent/sessions/s",
              "/agent/sessions/s/messages")) {
        expect404(node.get(path, BOB), "GET " + path, leaks);
      }
      for (String path :
          List.of(
              "/agent/abort/" + runId,
              "/agent/interrupt/" + runId,
              "/agent/resume/" + runId,
              "/agent/approve/" + runId,
              "/agent/tool-result/" + runId)) {
        String body =
            path.contains("approve")
                ? "{\"approvalId\":\"a\",\"approved\":true}"
                : path.contains("tool-result") ? "{\"toolCallId\":\"c\",\"result\":1}" : "{}";
        expect404(node.post(path, body, BOB), "POST " + path, leaks);
      }
      expect404(node.delete("/agent/sessions/s", BOB), "DELETE /agent/sessions/s", leaks);
      assertTrue(leaks.isEmpty(), "answered bob: " + leaks);
      assertEquals(404, webSocketStatus(node, runId, BOB));
      assertEquals(-1, webSocketStatus(node, runId, ALICE), "alice's own WebSocket opens");

      // bob's equal key and session id are his own
      JsonNode bobs = node.run("{\"agentType\":\"chat\",\"message\":\"other\",\"runId\":\"k1\"}", BOB);
      assertNotEquals(runId, bobs.get("runId").asText());
      JsonNode bobTurn =
          node.run("{\"agentType\":\"chat\",\"message\":\"mine\",\"sessionId\":\"s\"}", BOB);
      JsonNode bobSession = node.get("/agent/sessions/s", BOB).json();
      assertEquals(1, bobSession.get("turns").size());
      assertEquals(bobTurn.get("runId").asText(), bobSession.get("turns").get(0).get("runId").asText());

      // lists: one's own; the admin all, or one owner's
      awaitListed(node, ALICE, 2);
      awaitListed(node, BOB, 2);
      JsonNode aliceList = node.get("/agent/runs", ALICE).json().get("runs");
      aliceList.forEach(r -> assertEquals("alice", r.get("owner").asText()));
      JsonNode all = node.get("/agent/runs", OPS).json().get("runs");
      assertEquals(4, all.size(), all.toString());
      JsonNode onlyBob = node.get("/agent/runs?owner=bob", OPS).json().get("runs");
      assertEquals(2, onlyBob.size());
      onlyBob.forEach(r -> assertEquals("bob", r.get("owner").asText()));
      assertEquals(200, node.get("/agent/result/" + runId, OPS).status(), "the admin reads alice's run");
      assertEquals(
          200,
          node.get("/agent/runs?owner=alice", BOB).status(),
          "a non-admin's owner filter is ignored, not an error");
      node.get("/agent/runs?owner=alice", BOB).json().get("runs")
          .forEach(r -> assertEquals("bob", r.get("owner").asText()));
    }
  }

  private static void expect404(Node.Answer answer, String what, List<String> leaks) {
    if (answer.status() != 404) {
      leaks.add(what + " -> " + answer.status() + " " + answer.body());
    }
  }

  /** The status a WebSocket upgrade to the run's stream was refused with; -1 when it opened. */
  private static int webSocketStatus(Node node, String streamId, String token) throws Exception {
    try {
      WebSocket socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .header("Authorization", "Bearer " + token)
              .buildAsync(
                  URI.create(node.base.replace("http:", "ws:") + "/ws/" + streamId),
                  new WebSocket.Listener() {})
              .get(20, TimeUnit.SECONDS);
      socket.abort();
      return -1;
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof java.net.http.WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
  }

  private static void awaitListed(Node node, String token, int runs) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      int listed = node.get("/agent/runs", token).json().get("runs").size();
      if (listed == runs) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("listed " + listed + " runs, not " + runs);
      }
      Thread.sleep(100);
    }
  }
}
