package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentDefinition;
import io.helix.model.Message;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.model.UserMessage;
import io.helix.model.AssistantMessage;
import io.helix.persistence.DatabaseSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Sessions on a complete node over HTTP, on the embedded database: each turn's model request
 * carries exactly the conversation so far, one turn at a time (409), the conversation goes on
 * after a restart, and an erased session leaves nothing in the journal, the read model or the
 * streams.
 */
class SessionsTest {

  /** What the model was asked, per run id. */
  private final Map<String, List<Message>> asked = new ConcurrentHashMap<>();

  /** Answers "re: <the last user message>"; a message "slow" streams its answer for a while. */
  private List<ModelEvent> answer(ModelRequest request) {
    asked.put(request.runId(), List.copyOf(request.messages()));
    String last = ((UserMessage) request.messages().get(request.messages().size() - 1)).content();
    if (last.equals("slow")) {
      List<ModelEvent> events = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        events.add(ScriptedModel.text("."));
      }
      events.add(ScriptedModel.finish("stop", 1, 1));
      return events;
    }
    return ScriptedModel.answer("re: " + last);
  }

  private static AgentDefinition[] chat() {
    return new AgentDefinition[] {
      AgentDefinition.builder("chat").model("scripted:test").systemPrompt("Talk.").build(),
      AgentDefinition.builder("chat2").model("scripted:test").systemPrompt("Talk.").build()
    };
  }

  @Test
  void aTwentyTurnSessionGivesEachTurnTheConversationSurvivesARestartAndIsErased()
      throws Exception {
    Path dir = Files.createTempDirectory("helix-sessions");
    ScriptedModel model = new ScriptedModel(this::answer, Duration.ofMillis(50));
    List<String> runIds = new ArrayList<>();
    try (Node node = Node.start(dir, Map.of(), model, chat())) {
      for (int turn = 1; turn <= 20; turn++) {
        JsonNode run =
            node.run(
                "{\"agentType\":\"chat\",\"message\":\"m" + turn + "\",\"sessionId\":\"s1\"}", null);
        assertEquals("completed", run.get("status").asText(), run.toString());
        assertEquals("s1", run.get("sessionId").asText());
        String runId = run.get("runId").asText();
        runIds.add(runId);
        assertEquals(conversation(turn), texts(asked.get(runId)), "turn " + turn);
      }

      // one turn at a time
      Node.Answer slow =
          node.post("/agent/execute", "{\"agentType\":\"chat\",\"message\":\"slow\",\"sessionId\":\"s1\"}", null);
      assertEquals(202, slow.status(), slow.body());
      String slowRun = slow.json().get("runId").asText();
      Node.Answer busy =
          node.post("/agent/execute", "{\"agentType\":\"chat\",\"message\":\"m22\",\"sessionId\":\"s1\"}", null);
      assertEquals(409, busy.status(), busy.body());
      assertEquals("urn:helix:problem:session-busy", busy.json().get("type").asText());
      Node.Answer otherAgent =
          node.post("/agent/execute", "{\"agentType\":\"chat2\",\"message\":\"x\",\"sessionId\":\"s1\"}", null);
      assertEquals(409, otherAgent.status(), otherAgent.body());
      assertEquals("urn:helix:problem:session-conflict", otherAgent.json().get("type").asText());
      assertEquals("completed", node.result(slowRun, null).get("status").asText());
      runIds.add(slowRun);

      JsonNode session = node.get("/agent/sessions/s1", null).json();
      assertEquals("chat", session.get("agentType").asText());
      assertEquals(21, session.get("turns").size());
      assertTrue(session.get("activeRunId").isNull(), session.toString());
      assertEquals("completed", session.get("turns").get(20).get("status").asText());
      assertEquals(42, session.get("messageCount").asInt());
      JsonNode page = node.get("/agent/sessions/s1/messages?offset=2&limit=2", null).json();
      assertEquals(42, page.get("total").asInt());
      assertEquals("m2", page.get("messages").get(0).get("content").asText());
      assertEquals("re: m2", page.get("messages").get(1).get("content").asText());
      assertTrue(page.get("hasMore").asBoolean());
    }

    // a new node on the same database: the conversation goes on
    try (Node node = Node.start(dir, Map.of(), model, chat())) {
      JsonNode run =
          node.run("{\"agentType\":\"chat\",\"message\":\"m22\",\"sessionId\":\"s1\"}", null);
      assertEquals("completed", run.get("status").asText());
      String runId = run.get("runId").asText();
      runIds.add(runId);
      List<String> expected = new ArrayList<>(conversation(20));
      expected.add("re: m20");
      expected.add("slow");
      expected.add("........................................");
      expected.add("m22");
      assertEquals(expected, texts(asked.get(runId)));

      // before: the read model holds the session's runs
      JsonNode projected = node.get("/agent/state/" + runIds.get(0), null).json();
      assertEquals("s1", projected.get("sessionId").asText(), projected.toString());
      Node.Answer erased = node.delete("/agent/sessions/s1", null);
      assertEquals(204, erased.status(), erased.body());
      assertEquals(404, node.get("/agent/sessions/s1", null).status());
      for (String id : runIds) {
        assertEquals(404, node.get("/agent/result/" + id, null).status(), id);
        assertEquals(404, node.get("/agent/state/" + id, null).status(), id);
        assertEquals(404, node.get("/agent/stream/" + id, null).status(), id);
      }
      assertEquals(404, node.delete("/agent/sessions/s1", null).status());
    }

    // nothing of it is left in the database
    String url = DatabaseSettings.fromConfig(nodeConfig(dir)).url();
    try (Connection db = DriverManager.getConnection(url, "sa", "");
        Statement s = db.createStatement()) {
      String ids =
          String.join(
              ",",
              runIds.stream()
                  .flatMap(id -> java.util.stream.Stream.of("'Run|" + id + "'", "'Stream|" + id + "'"))
                  .toList());
      assertEquals(0, count(s, "SELECT COUNT(*) FROM \"event_journal\" WHERE \"persistence_id\" IN (" + ids + ", 'Session|s1')"));
      assertEquals(0, count(s, "SELECT COUNT(*) FROM \"snapshot\" WHERE \"persistence_id\" IN (" + ids + ", 'Session|s1')"));
      String runs = String.join(",", runIds.stream().map(id -> "'" + id + "'").toList());
      assertEquals(0, count(s, "SELECT COUNT(*) FROM agent_state WHERE run_id IN (" + runs + ") OR session_id = 's1'"));
      assertEquals(0, count(s, "SELECT COUNT(*) FROM messages WHERE run_id IN (" + runs + ")"));
    }
  }

  private static com.typesafe.config.Config nodeConfig(Path dir) {
    return com.typesafe.config.ConfigFactory.parseMap(
            Map.of("helix.data-dir", dir.resolve("data").toString()))
        .withFallback(com.typesafe.config.ConfigFactory.load());
  }

  private static long count(Statement s, String sql) throws Exception {
    try (ResultSet row = s.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    }
  }

  /** The texts the model should see at turn {@code turn}: m1, re: m1, ..., m<turn>. */
  private static List<String> conversation(int turn) {
    List<String> texts = new ArrayList<>();
    for (int i = 1; i < turn; i++) {
      texts.add("m" + i);
      texts.add("re: m" + i);
    }
    texts.add("m" + turn);
    return texts;
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream()
        .map(
            m ->
                m instanceof UserMessage u
                    ? u.content()
                    : ((AssistantMessage) m).content())
        .toList();
  }
}
