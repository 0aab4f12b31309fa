package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.client.Chunk;
import io.helix.client.Execution;
import io.helix.client.HelixClient;
import io.helix.client.RunStatus;
import io.helix.server.ServerProcess.SseEvent;
import io.helix.testkit.TestRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Java client follows a run's stream while the server is killed ({@code kill -9}) and started
 * again on the same data and ports: it delivers exactly the run's stream, each chunk once, in order,
 * up to the run's {@code run_end}.
 */
@Tag("slow")
class ClientRestartIT {

  @Test
  void theClientFollowsARunAcrossAKillAndRestart() throws Exception {
    Path data = Files.createTempDirectory("helix-client-restart");
    List<String> slowModel = List.of("-Dhelix.offline-model.pause=100ms");
    try (ServerProcess server = new ServerProcess(data, Map.of(), slowModel).start()) {
      HelixClient client =
          HelixClient.builder(server.uri(""))
              .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
              .reconnectGiveUpAfter(Duration.ofSeconds(90))
              .build();
      Execution run = client.execute("research", "What is (12+30)*2?");
      List<Chunk> delivered = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> followed = client.follow(run.runId(), 0, delivered::add);

      // mid-run: the calculator has answered, the model streams its next step
      TestRuntime.awaitCondition(
          () -> delivered.stream().anyMatch(c -> c instanceof Chunk.ToolEnd),
          Duration.ofSeconds(30));
      server.kill();
      int beforeRestart = delivered.size();
      assertFalse(
          delivered.stream()
              .anyMatch(c -> c instanceof Chunk.RunEnd && c.runId().equals(run.runId())),
          "killed mid-run");
      server.start();

      followed.get(60, TimeUnit.SECONDS);
      assertTrue(delivered.size() > beforeRestart, "chunks arrived after the restart");
      Chunk last = delivered.get(delivered.size() - 1);
      assertInstanceOf(Chunk.RunEnd.class, last);
      assertEquals(run.runId(), last.runId());
      assertEquals(RunStatus.COMPLETED, ((Chunk.RunEnd) last).status());
      for (int offset = 0; offset < delivered.size(); offset++) {
        assertEquals(offset, delivered.get(offset).seq(), "no chunk lost, none repeated");
      }

      List<SseEvent> stream = server.readStream("/agent/stream/" + run.runId(), null);
      assertEquals(
          stream.stream().map(e -> e.data().toString()).toList(),
          delivered.stream().map(c -> c.json().toString()).toList(),
          "the client delivered exactly the run's stream");
      assertEquals(RunStatus.COMPLETED, client.result(run.runId()).status());
    }
  }
}
