package io.helix.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.agent.Tool;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.model.ScriptedModel;
import io.helix.runtime.HelixRuntime;
import io.helix.testkit.TestRuntime;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one H2 journal; runs spread over both are mid-tool when one node leaves the cluster
 * (its shards hand off, as in a rebalance or a rolling update). The runs on the leaving node let
 * their tools finish and record them before they move: every run completes, every idempotency key
 * executed exactly once, never twice at the same time.
 */
class RunHandOffTest {

  private static final int RUNS = 24;

  record Nothing() {}

  private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
  private final Set<String> concurrent = ConcurrentHashMap.newKeySet();
  private final Map<String, Executor> executedOn = new ConcurrentHashMap<>();

  private final Tool work =
      Tool.blocking("work", "takes a moment", Nothing.class, (input, ctx) -> {
        String key = ctx.idempotencyKey();
        executions.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        executedOn.put(key, ctx.blockingExecutor());
        if (active.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
          concurrent.add(key);
        }
        try {
          Thread.sleep(1500);
          return "worked";
        } catch (InterruptedException e) {
          return "interrupted";
        } finally {
          active.get(key).decrementAndGet();
        }
      });

  private AgentRegistry agents() {
    return new AgentRegistry()
        .register(AgentDefinition.builder("worker").systemPrompt("p").model("scripted:x").tools(work).build());
  }

  private static ModelCatalog models() {
    return new ModelCatalog()
        .register(
            "scripted",
            ScriptedModel.uncounted(
                request ->
                    request.step() == 1
                        ? List.of(
                            ScriptedModel.toolCall("w1", "work", Json.object()),
                            ScriptedModel.finish("tool_calls", 1, 1))
                        : ScriptedModel.answer("done"),
                Duration.ZERO));
  }

  @Test
  void runsOnALeavingNodeRecordTheirToolsBeforeTheyMove() throws Exception {
    Config config =
        TestJournals.h2(
            Files.createTempDirectory("helix-hand-off"),
            """
            pekko.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 10s
            helix.run.hand-off-wait = 5s
            """);
    TestRuntime a = TestRuntime.start(agents(), models(), config);
    ActorTestKit b = ActorTestKit.create("helix-test", config);
    try {
      TestRuntime.join(b.system(), a.testKit.system());
      Cluster clusterB = Cluster.get(b.system());
      AgentExecutor onB = HelixRuntime.start(b.system(), agents(), models());
      Executor executorB =
          b.system().dispatchers().lookup(DispatcherSelector.fromConfig("helix.blocking-tool-dispatcher"));

      List<String> runs = new ArrayList<>();
      for (int i = 0; i < RUNS; i++) {
        runs.add(TestRuntime.await(onB.execute("worker", "work " + i, "hand-off-" + i)).runId());
      }
      // every run's tool is executing, some of them on B
      TestRuntime.awaitCondition(() -> executions.size() == RUNS, Duration.ofSeconds(30));
      long onNodeB = executedOn.values().stream().filter(e -> e == executorB).count();
      assertTrue(onNodeB > 0 && onNodeB < RUNS, "runs on both nodes, " + onNodeB + " on B");

      // B leaves: its shards hand off to A while its runs' tools execute
      clusterB.manager().tell(new Leave(clusterB.selfMember().address()));
      b.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);

      for (String runId : runs) {
        RunResult result =
            TestRuntime.await(TestRuntime.await(a.executor.getHandle(runId)).orElseThrow().result());
        assertEquals(RunStatus.completed, result.status(), runId + ": " + result.error());
      }
      assertTrue(concurrent.isEmpty(), "executed twice at once: " + concurrent);
      executions.forEach((key, count) -> assertEquals(1, count.get(), key + " executed again"));
    } finally {
      b.shutdownTestKit();
      a.close();
    }
  }
}
