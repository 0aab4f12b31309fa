package io.helix.run;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunControlException;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.model.ModelCatalog;
import io.helix.model.ScriptedModel;
import io.helix.stream.StreamChunk;
import io.helix.testkit.HitlAgents;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Approvals that expire ({@code helix.run.approval-timeout}), on the run entity. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApprovalExpiryTest {

  private final ScriptedModel model = new ScriptedModel(HitlAgents::script, Duration.ofMillis(20));
  private final AgentRegistry agents = new AgentRegistry().register(HitlAgents.agent("hitl"));
  private final TestRuntime runtime =
      TestRuntime.start(
          agents, new ModelCatalog().register("scripted", model), "helix.run.approval-timeout = 3s");

  @AfterAll
  void stop() {
    runtime.close();
  }

  @Test
  void anApprovalNotDecidedInTimeIsDeniedAsExpiredAndALaterApprovalIsRefused() throws Exception {
    int sentBefore = HitlAgents.SENT.get();
    AgentHandle handle = await(runtime.executor.execute("hitl", "send it", "expire-1"));
    List<StreamChunk> seen = new CopyOnWriteArrayList<>();
    handle.stream(0).runWith(Sink.foreach(seen::add), runtime.testKit.system());
    RunResult suspended = await(handle.result());
    assertEquals(RunStatus.suspended, suspended.status());
    String approvalId = suspended.pending().get(0).approvalId();

    long start = System.nanoTime();
    TestRuntime.awaitCondition(
        () -> handle.status().toCompletableFuture().join().status() == RunStatus.completed,
        Duration.ofSeconds(10));
    long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertTrue(took < 8_000, "expired about 3 s after its request, took " + took + " ms");
    RunResult done = await(handle.status());
    assertTrue(
        done.output().asText().contains("send=error: the call of 'send' was denied approval: "
            + "approval expired after PT3S"),
        done.output().asText());
    assertTrue(done.output().asText().contains("add={\"sum\":5}"), "the other call ran");
    assertEquals(sentBefore, HitlAgents.SENT.get(), "never sent");

    ExecutionException late =
        assertThrows(
            ExecutionException.class,
            () -> handle.approve(approvalId, true, null).toCompletableFuture().get());
    RunControlException refused = assertInstanceOf(RunControlException.class, late.getCause());
    assertEquals(RunControlException.Reason.CONFLICT, refused.reason());
    assertTrue(refused.getMessage().contains("approval expired after PT3S"), refused.getMessage());
    assertEquals(done, await(handle.approve(approvalId, false, null)), "as the recorded denial");
    assertEquals(sentBefore, HitlAgents.SENT.get());

    TestRuntime.awaitCondition(
        () -> seen.stream().anyMatch(c -> c.type().equals("run_end")), Duration.ofSeconds(10));
    StreamChunk decision =
        seen.stream()
            .filter(c -> c.type().equals("tool_approval_decision"))
            .findFirst()
            .orElseThrow();
    assertFalse(decision.toJson().get("approved").asBoolean());
    assertEquals("approval expired after PT3S", decision.toJson().get("reason").asText());
  }

  @Test
  void anApprovalDecidedInTimeIsTakenAndClientToolsNeverExpire() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("hitl", "send now", "expire-2"));
    String approvalId = await(handle.result()).pending().get(0).approvalId();
    await(handle.approve(approvalId, true, null));
    assertEquals(RunStatus.completed, await(handle.result()).status());
    assertTrue(await(handle.result()).output().asText().contains("sent"));

    AgentHandle client = await(runtime.executor.execute("hitl", "where am I", "expire-3"));
    assertEquals(RunStatus.suspended, await(client.result()).status());
    long until = System.currentTimeMillis() + 4_000;
    TestRuntime.awaitCondition(() -> System.currentTimeMillis() > until, Duration.ofSeconds(6));
    assertEquals(RunStatus.suspended, await(client.status()).status(), "still waits");
  }

  // ---- a run recovered after the expiry

  private EventSourcedBehaviorTestKit<RunCommand, RunEvent, RunState> entity(
      String runId, String approvalTimeout) {
    var system = runtime.testKit.system();
    RunEnvironment environment =
        new RunEnvironment(
            agents,
            new ModelCatalog().register("scripted", model),
            RunSettings.fromConfig(
                com.typesafe.config.ConfigFactory.parseString(
                        "run.approval-timeout = " + approvalTimeout)
                    .withFallback(system.settings().config().getConfig("helix"))),
            ClusterSharding.get(system),
            Executors.newCachedThreadPool());
    TestProbe<ClusterSharding.ShardCommand> shard = runtime.testKit.createTestProbe();
    return EventSourcedBehaviorTestKit.create(system, RunEntity.create(runId, shard.getRef(), environment));
  }

  @Test
  void aRunRecoveredAfterTheExpiryExpiresItsApprovalAtOnce() {
    int sentBefore = HitlAgents.SENT.get();
    var kit = entity("expire-restart-1", "10s");
    // its journal: asked for an approval 15 s ago, and out of memory since
    long then = System.currentTimeMillis() - 15_000;
    io.helix.agent.AgentDefinition agent = HitlAgents.agent("hitl");
    RunEvent.RunStarted started =
        new RunEvent.RunStarted(
            "expire-restart-1", "hitl", "send it", "expire-restart-1", null, agent.initialState(),
            then);
    RunState state = RunState.EMPTY.apply(started);
    io.helix.model.ToolCall send =
        new io.helix.model.ToolCall(
            "call-send", "send", io.helix.json.Json.object().put("to", "bob").put("body", "hi"));
    List<RunEvent> events =
        RunDecisions.onModelAnswer(
            state, java.util.Optional.of(agent),
            new io.helix.model.ModelResponse(
                new io.helix.model.AssistantMessage("", List.of(send), null), "tool_calls",
                new io.helix.model.TokenUsage(3, 3)),
            RunLimits.UNLIMITED, then);
    List<RunEvent> journal = new java.util.ArrayList<>();
    journal.add(started);
    journal.addAll(events);
    assertInstanceOf(RunEvent.ApprovalRequested.class, journal.get(journal.size() - 1));

    long recovered = System.currentTimeMillis();
    kit.initialize(journal.toArray());
    TestRuntime.awaitCondition(() -> kit.getState().terminal(), Duration.ofSeconds(10));
    RunState after = kit.getState();
    assertEquals(RunStatus.completed, after.status());
    RunState.Decision decision = after.decisions().get(0);
    assertFalse(decision.approved());
    assertEquals("approval expired after PT10S", decision.reason());
    assertTrue(
        after.updatedAt() - recovered < 5_000,
        "at once after its recovery, not 10 s after it: " + (after.updatedAt() - recovered) + " ms");
    assertTrue(
        after.messages().stream()
            .anyMatch(m -> m instanceof io.helix.model.ToolResultMessage r
                && !r.success() && r.error().contains("approval expired after PT10S")),
        "the model heard it");
    assertEquals(sentBefore, HitlAgents.SENT.get());
  }
}
