package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import io.helix.agent.AgentRegistry;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.persistence.DatabaseMigrations;
import io.helix.persistence.DatabaseSettings;
import io.helix.stream.ChunkTypes;
import io.helix.stream.StreamChunk;
import io.helix.stream.Streams;
import io.helix.testkit.TestRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/**
 * Two nodes of one cluster on one H2 journal: a subscriber on one node follows a stream whose
 * entity lives on the other (every update crosses the wire), and when that node leaves, the entity
 * moves and the subscriber finds it again by itself, missing nothing and getting nothing twice.
 */
class StreamAcrossNodesTest {

  private static List<StreamChunk> chunks(String streamId, int first, int count) {
    List<StreamChunk> batch = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      batch.add(
          StreamChunk.of(
              ChunkTypes.TEXT_DELTA, streamId, "test", 1, i, Json.object().put("delta", "c" + i)));
    }
    return batch;
  }

  @Test
  void aSubscriberOnAnotherNodeFollowsTheStreamWhenItsNodeLeaves() throws Exception {
    Path dir = Files.createTempDirectory("helix-db");
    Config config =
        DatabaseSettings.withJournal(
            TestRuntime.config(
                """
                helix.data-dir = "%s"
                pekko.persistence.journal.plugin = "jdbc-journal"
                pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
                helix.stream.tail-size = 16
                helix.stream.subscribe-timeout = 2s
                pekko.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 3s
                """
                    .formatted(dir.toAbsolutePath())));
    DatabaseMigrations.migrate(DatabaseSettings.fromConfig(config));

    String id = "across-nodes";
    // node A alone first, so the stream's entity starts there
    TestRuntime a = TestRuntime.start(new AgentRegistry(), new ModelCatalog(), config);
    ActorTestKit b = null;
    try {
      Streams onA = Streams.start(a.testKit.system());
      onA.append(id, chunks(id, 0, 40), false);
      TestRuntime.awaitCondition(
          () -> onA.status(id).toCompletableFuture().join().nextOffset() == 40,
          Duration.ofSeconds(20));

      b = ActorTestKit.create("helix-test", config);
      Cluster clusterB = Cluster.get(b.system());
      clusterB.manager().tell(new Join(Cluster.get(a.testKit.system()).selfMember().address()));
      TestRuntime.awaitCondition(
          () -> clusterB.selfMember().status() == MemberStatus.up(), Duration.ofSeconds(20));
      Streams onB = Streams.start(b.system());

      // on B, from offset 3: older than A's tail, so first the journal, then live from A
      CompletionStage<List<StreamChunk>> followed =
          onB.subscribe(id, 3).runWith(Sink.seq(), b.system());
      TestRuntime.awaitCondition(
          () -> onB.status(id).toCompletableFuture().join().subscribers() == 1,
          Duration.ofSeconds(20));
      onB.append(id, chunks(id, 40, 20), false);
      TestRuntime.awaitCondition(
          () -> onB.status(id).toCompletableFuture().join().nextOffset() == 60,
          Duration.ofSeconds(20));

      // A leaves: its shards, the stream's among them, move to B
      Cluster clusterA = Cluster.get(a.testKit.system());
      clusterA.manager().tell(new Leave(clusterA.selfMember().address()));
      a.testKit.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);

      // the subscriber is back, now on B's own entity, and the stream goes on
      TestRuntime.awaitCondition(
          () -> {
            try {
              return onB.status(id).toCompletableFuture().join().subscribers() == 1;
            } catch (RuntimeException e) {
              return false; // the entity was on its way over
            }
          },
          Duration.ofSeconds(30));
      onB.append(id, chunks(id, 60, 25), true);

      List<StreamChunk> got = followed.toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(
          LongStream.range(3, 85).boxed().toList(), got.stream().map(StreamChunk::seq).toList());
      for (StreamChunk chunk : got) {
        assertEquals("c" + chunk.seq(), chunk.data().get("delta").asText());
      }
    } finally {
      if (b != null) {
        b.shutdownTestKit();
      }
      a.close();
    }
  }
}
