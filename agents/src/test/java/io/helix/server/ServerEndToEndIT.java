package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.server.ServerProcess.Reply;
import io.helix.server.ServerProcess.SseEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The packaged server, as a newcomer runs it: the README's curl session, and a restart. */
class ServerEndToEndIT {

  @Test
  void theCurlSessionWorksAndAFinishedRunSurvivesARestart() throws Exception {
    Path data = Files.createTempDirectory("helix-e2e");
    try (ServerProcess server = new ServerProcess(data, Map.of(), List.of()).start()) {
      Reply agents = server.get("/agent/agents");
      assertEquals(200, agents.status());
      JsonNode research = agents.body().get("agents").get(0);
      assertEquals("research", research.get("name").asText());
      assertEquals("offline:builtin", research.get("model").asText());
      assertTrue(research.get("description").asText().contains("offline model"));

      Reply started =
          server.post(
              "/agent/execute", "{\"agentType\":\"research\",\"message\":\"What is (12+30)*2?\"}");
      assertTrue(started.status() / 100 == 2, "execute answered " + started.status());
      String runId = started.body().get("runId").asText();
      assertEquals("/agent/stream/" + runId, started.body().get("streamUrl").asText());

      List<SseEvent> events = server.readStream("/agent/stream/" + runId, null);
      List<String> types = events.stream().map(e -> e.data().get("type").asText()).distinct().toList();
      assertTrue(
          types.containsAll(
              List.of("run_start", "text_delta", "tool_start", "tool_end", "subagent_start",
                  "subagent_end", "output", "run_end")),
          types.toString());
      JsonNode last = events.get(events.size() - 1).data();
      assertEquals("run_end", last.get("type").asText());
      assertEquals(runId, last.get("runId").asText());
      for (int i = 0; i < events.size(); i++) {
        assertEquals(i, events.get(i).id(), "SSE id is the offset");
        assertEquals(i, events.get(i).data().get("seq").asLong());
      }

      Reply result = server.get("/agent/result/" + runId);
      assertEquals(200, result.status());
      assertEquals("completed", result.body().get("status").asText());
      assertTrue(result.body().get("output").asText().contains("\"value\":\"84\""));

      List<SseEvent> rest = server.readStream("/agent/stream/" + runId, "3");
      assertEquals(events.subList(4, events.size()), rest, "Last-Event-ID resumes after it");

      server.stop();
      server.start();

      Reply again = server.get("/agent/result/" + runId);
      assertEquals(result.body(), again.body(), "the result is served after a restart");
      assertEquals(events, server.readStream("/agent/stream/" + runId, null));
      assertEquals(404, server.get("/agent/result/no-such-run").status());
    }
  }

  @Test
  void abortStopsASlowRun() throws Exception {
    Path data = Files.createTempDirectory("helix-e2e");
    try (ServerProcess server =
        new ServerProcess(data, Map.of(), List.of("-Dhelix.offline-model.pause=200ms")).start()) {
      String runId =
          server
              .post("/agent/execute", "{\"agentType\":\"analyzer\",\"message\":\"a b c\"}")
              .body()
              .get("runId")
              .asText();
      Reply aborted = server.post("/agent/abort/" + runId, "{\"reason\":\"changed my mind\"}");
      assertEquals(200, aborted.status());
      Reply result = server.get("/agent/result/" + runId);
      assertEquals("failed", result.body().get("status").asText());
      assertTrue(result.body().get("aborted").asBoolean());
      assertEquals("changed my mind", result.body().get("abortReason").asText());
      List<SseEvent> events = server.readStream("/agent/stream/" + runId, null);
      assertEquals("error", events.get(events.size() - 2).data().get("type").asText());
      assertEquals("run_end", events.get(events.size() - 1).data().get("type").asText());
    }
  }
}
