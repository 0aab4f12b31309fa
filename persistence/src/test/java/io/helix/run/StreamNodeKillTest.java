package io.helix.run;

import static io.helix.testkit.TestRuntime.await;
import static io.helix.testkit.TestRuntime.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.persistence.TestJournals;
import io.helix.runtime.HelixRuntime;
import io.helix.stream.StreamChunk;
import io.helix.stream.InterceptedStreams;
import io.helix.stream.StreamCommand;
import io.helix.stream.StreamEntity;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one H2 journal; runs stream steadily when node A's streams stop writing (appends
 * they take are lost, as with a node going down mid-write) and then A dies without a word (no
 * coordinated shutdown, no hand-off: its actors just stop).
 * Node B downs it, takes over its runs (from the journal) and streams (from theirs). Every run
 * completes, and every subscriber sees each persisted event's chunks exactly once, in order, at
 * gap-free offsets: the runs on B re-send what A's streams never acknowledged, the runs that
 * restart on B send what their streams lack from their journals, and the streams drop what they
 * already hold.
 */
class StreamNodeKillTest {

  private static final int RUNS = 12;

  // node A's streams stop writing: the appends they take from then on are lost with the node
  private volatile boolean hung;
  private final AtomicInteger swallowed = new AtomicInteger();
  // of those, the appends of runs on node B (their acknowledgements would go to another node)
  private final AtomicInteger swallowedFromB = new AtomicInteger();

  /** Node A's stream entities take no more appends once A hangs. */
  private boolean hung(ActorContext<StreamCommand> entity, StreamCommand command) {
    if (hung && command instanceof StreamCommand.AppendFrom append && !append.chunks().isEmpty()) {
      swallowed.incrementAndGet();
      if (append.replyTo().path().address().hasGlobalScope()) {
        swallowedFromB.incrementAndGet();
      }
      return false;
    }
    return true;
  }

  private static AgentRegistry agents() {
    return new AgentRegistry()
        .register(
            AgentDefinition.builder("worker")
                .systemPrompt("work")
                .model("scripted:x")
                .tools(TestAgents.ADD)
                .maxSteps(20)
                .build());
  }

  /** Steps 1-8: deltas and two tool calls; step 9: the answer; a pause between events. */
  private static List<ModelEvent> script(ModelRequest request) {
    int step = request.step();
    if (step <= 8) {
      return List.of(
          ScriptedModel.text("step "),
          ScriptedModel.text(step + " "),
          ScriptedModel.toolCall("a" + step, "add", Json.object().put("a", step).put("b", 1)),
          ScriptedModel.toolCall("b" + step, "add", Json.object().put("a", step).put("b", 2)),
          ScriptedModel.finish("tool_calls", 1, 1));
    }
    return ScriptedModel.answer("all ", "done.");
  }

  private static ModelCatalog models() {
    return new ModelCatalog()
        .register(
            "scripted",
            ScriptedModel.uncounted(StreamNodeKillTest::script, Duration.ofMillis(60)));
  }

  private static Set<String> entitiesOn(ActorSystem<?> system, String typeName) {
    TestProbe<ShardRegion.CurrentShardRegionState> probe = TestProbe.create(system);
    var key =
        typeName.equals("Stream")
            ? (org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey<?>) StreamEntity.TYPE_KEY
            : RunEntity.TYPE_KEY;
    ClusterSharding.get(system).shardState().tell(new GetShardRegionState(key, probe.getRef()));
    Set<String> ids = new HashSet<>();
    probe.receiveMessage(Duration.ofSeconds(10)).getShards().forEach(s -> ids.addAll(s.getEntityIds()));
    return ids;
  }

  private static List<String> streamIds() {
    List<String> ids = new ArrayList<>(List.of("kill-warm-up"));
    for (int i = 0; i < RUNS; i++) {
      ids.add("kill-" + i);
    }
    return ids;
  }

  /** The run's result, asked again while B takes over A's shards (its coordinator too). */
  private static RunResult resultAfterTakeOver(AgentExecutor executor, String runId)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      try {
        return await(await(executor.getHandle(runId)).orElseThrow().result());
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  @Test
  void streamsAndRunsOfAKilledNodeGoOnElsewhereWithEveryChunkOnce() throws Exception {
    Config config =
        TestJournals.h2(
            Files.createTempDirectory("helix-stream-kill"),
            """
            helix.run.chunk-hand-off.resend-min-backoff = 100ms
            helix.run.chunk-hand-off.resend-max-backoff = 1s
            helix.run.recovery.runs-per-interval = 0
            """);
    // A dies without a word: no coordinated shutdown, so no hand-off of its shards
    Config dying =
        ConfigFactory.parseString(
                """
                pekko.coordinated-shutdown.run-by-actor-system-terminate = off
                pekko.cluster.run-coordinated-shutdown-when-down = off
                """)
            .withFallback(config);
    ActorTestKit a = ActorTestKit.create("helix-test", dying);
    TestRuntime.join(a.system(), a.system());
    InterceptedStreams.init(a.system(), () -> this::hung);
    AgentExecutor onA = HelixRuntime.start(a.system(), agents(), models());
    ActorTestKit b = ActorTestKit.create("helix-test", config);
    try {
      TestRuntime.join(b.system(), a.system());
      Cluster clusterB = Cluster.get(b.system());
      AgentExecutor onB = HelixRuntime.start(b.system(), agents(), models());

      // the streams start first, one more of them before: shards go to the nodes by turns, so
      // the runs' and their streams' turns differ and many a stream is on another node than its run
      for (String streamId : streamIds()) {
        await(
            ClusterSharding.get(a.system())
                .entityRefFor(StreamEntity.TYPE_KEY, streamId)
                .ask(StreamCommand.GetStatus::new, Duration.ofSeconds(10)));
      }
      List<String> runs = new ArrayList<>();
      for (int i = 0; i < RUNS; i++) {
        AgentExecutor on = i % 2 == 0 ? onA : onB;
        runs.add(await(on.execute("worker", "work " + i, "kill-" + i)).runId());
      }
      // A holds streams (some of runs on B) and runs in the middle of their work...
      awaitCondition(
          () -> {
            Set<String> streamsOnA = entitiesOn(a.system(), "Stream");
            Set<String> runsOnB = entitiesOn(b.system(), "Run");
            return streamsOnA.stream().anyMatch(runsOnB::contains)
                && !entitiesOn(a.system(), "Run").isEmpty();
          },
          Duration.ofSeconds(30));
      // ... when its streams stop writing (a node going down mid-write), then it dies: appends of
      // runs on B are lost with it (they re-send them), runs on A restart on B
      hung = true;
      awaitCondition(() -> swallowedFromB.get() >= 1, Duration.ofSeconds(30));
      Set<String> streamsOnA = entitiesOn(a.system(), "Stream");
      Set<String> runsOnA = entitiesOn(a.system(), "Run");
      org.apache.pekko.cluster.Member memberA = Cluster.get(a.system()).selfMember();
      a.shutdownTestKit();
      clusterB.manager().tell(new Down(memberA.address()));

      for (String runId : runs) {
        RunResult result = resultAfterTakeOver(onB, runId);
        assertEquals(RunStatus.completed, result.status(), runId + ": " + result.error());
      }
      long streamsUnfinishedOnA = 0;
      for (String runId : runs) {
        List<StreamChunk> chunks =
            await(await(onB.getHandle(runId)).orElseThrow().stream(0).runWith(Sink.seq(), b.system()));
        for (int i = 0; i < chunks.size(); i++) {
          assertEquals(i, chunks.get(i).seq(), runId + ": offsets are contiguous from 0");
        }
        List<RunEvent> events =
            PersistedChunks.events(b.system(), JdbcReadJournal.Identifier(), runId);
        assertEquals(PersistedChunks.expected(events), PersistedChunks.of(chunks), runId);
        if (streamsOnA.contains(runId)) {
          streamsUnfinishedOnA++;
        }
      }
      assertTrue(streamsUnfinishedOnA >= 2, "streams in use died with A: " + streamsOnA);
      System.out.printf(
          "killed node A with %d streams and %d runs in flight, %d appends its streams never"
              + " wrote (%d of runs on B)%n",
          streamsOnA.size(), runsOnA.size(), swallowed.get(), swallowedFromB.get());
    } finally {
      b.shutdownTestKit();
    }
  }
}
