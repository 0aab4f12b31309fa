package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.server.ServerProcess.SseEvent;
import io.helix.testkit.TestRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** kill -9 of the server mid-run: the runs finish by themselves after a restart. */
@Tag("slow")
class CrashRecoveryIT {

  @Test
  void runsInFlightCompleteAfterKillAndRestart() throws Exception {
    Path data = Files.createTempDirectory("helix-crash");
    List<String> slowModel = List.of("-Dhelix.offline-model.pause=150ms");
    try (ServerProcess server = new ServerProcess(data, Map.of(), slowModel).start()) {
      List<String> runs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        runs.add(
            server
                .post(
                    "/agent/execute",
                    "{\"agentType\":\"research\",\"message\":\"What is " + i + " + 1?\"}")
                .body()
                .get("runId")
                .asText());
      }
      // mid-run: every run has its first model response persisted, none has finished
      TestRuntime.awaitCondition(
          () -> runs.stream().allMatch(id -> server.steps(id) >= 1), Duration.ofSeconds(30));
      for (String id : runs) {
        assertEquals("running", server.get("/agent/result/" + id).body().get("status").asText());
      }

      server.kill();
      server.start(); // and nothing is sent to the runs

      TestRuntime.awaitCondition(
          () -> runs.stream().allMatch(id -> "completed".equals(server.status(id))),
          Duration.ofSeconds(60));
      for (int i = 0; i < runs.size(); i++) {
        String output = server.get("/agent/result/" + runs.get(i)).body().get("output").asText();
        assertTrue(output.contains("\"value\":\"" + (i + 1) + "\""), output);
        List<SseEvent> events = server.readStream("/agent/stream/" + runs.get(i), null);
        for (int offset = 0; offset < events.size(); offset++) {
          assertEquals(offset, events.get(offset).id(), "offsets stay contiguous across the crash");
        }
        assertEquals("run_end", events.get(events.size() - 1).data().get("type").asText());
      }
    }
  }
}
