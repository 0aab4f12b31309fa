package io.helix.run;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.PendingRequest;
import io.helix.agent.RunControlException;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.model.ScriptedModel;
import io.helix.model.UserMessage;
import io.helix.stream.StreamChunk;
import io.helix.testkit.HitlAgents;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
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

/** Approvals, client tools, interrupt and resume, on the run entity with an in-memory journal. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HumanInTheLoopTest {

  private final ScriptedModel model =
      new ScriptedModel(HitlAgents::script, Duration.ofMillis(30));
  private final AgentRegistry agents = new AgentRegistry().register(HitlAgents.agent("hitl"));
  private final TestRuntime runtime =
      TestRuntime.start(agents, new ModelCatalog().register("scripted", model));

  @AfterAll
  void stop() {
    runtime.close();
  }

  private AgentHandle execute(String message, String runId) throws Exception {
    return await(runtime.executor.execute("hitl", message, runId));
  }

  private static RunControlException refused(CompletionStage<?> stage) {
    ExecutionException thrown =
        assertThrows(ExecutionException.class, () -> stage.toCompletableFuture().get());
    return assertInstanceOf(RunControlException.class, thrown.getCause());
  }

  @Test
  void anApprovedCallRunsOnceAndTheRunCompletes() throws Exception {
    AgentHandle handle = execute("please send it", "approve-1");
    List<StreamChunk> seen = new CopyOnWriteArrayList<>();
    handle.stream(0).runWith(Sink.foreach(seen::add), runtime.testKit.system());
    int sentBefore = HitlAgents.SENT.get();

    RunResult suspended = await(handle.result());
    assertEquals(RunStatus.suspended, suspended.status());
    assertEquals(1, suspended.pending().size());
    PendingRequest request = suspended.pending().get(0);
    assertEquals(PendingRequest.APPROVAL, request.kind());
    assertEquals("send", request.toolName());
    assertEquals("approve-1", request.runId());
    assertEquals("bob@example.com", request.input().get("to").asText());
    assertEquals(sentBefore, HitlAgents.SENT.get(), "nothing is sent before the approval");

    RunResult approved = await(handle.approve(request.approvalId(), true, "fine"));
    assertTrue(approved.pending().isEmpty());
    RunResult done = await(handle.result());
    assertEquals(RunStatus.completed, done.status());
    assertTrue(done.output().asText().contains("send={\"sent\":\"bob@example.com\"}"), done.output().asText());
    assertTrue(done.output().asText().contains("add={\"sum\":5}"), done.output().asText());
    assertEquals(sentBefore + 1, HitlAgents.SENT.get());
    assertEquals(1, model.requests("approve-1", 1), "the response asking for it is not asked again");

    assertEquals(done, await(handle.approve(request.approvalId(), true, null)), "same decision again");
    assertEquals(
        RunControlException.Reason.CONFLICT,
        refused(handle.approve(request.approvalId(), false, null)).reason());
    assertEquals(sentBefore + 1, HitlAgents.SENT.get());

    TestRuntime.awaitCondition(
        () -> seen.stream().anyMatch(c -> c.type().equals("run_end")), Duration.ofSeconds(10));
    StreamChunk asked =
        seen.stream().filter(c -> c.type().equals("tool_approval_request")).findFirst().orElseThrow();
    assertEquals(request.approvalId(), asked.toJson().get("approvalId").asText());
    assertEquals("call-send", asked.toJson().get("toolCallId").asText());
    assertEquals("send", asked.toJson().get("toolName").asText());
    assertNotNull(asked.toJson().get("input"));
    assertTrue(seen.stream().anyMatch(c -> c.type().equals("tool_approval_decision")));
    assertTrue(
        seen.stream()
            .anyMatch(c -> c.type().equals("run_status") && c.toJson().get("status").asText().equals("suspended")));
  }

  @Test
  void aDenialGoesToTheModelWithItsReason() throws Exception {
    AgentHandle handle = execute("send this", "deny-1");
    RunResult suspended = await(handle.result());
    int sentBefore = HitlAgents.SENT.get();
    await(handle.approve(suspended.pending().get(0).approvalId(), false, "not to Bob"));
    RunResult done = await(handle.result());
    assertEquals(RunStatus.completed, done.status());
    assertTrue(done.output().asText().contains("denied approval: not to Bob"), done.output().asText());
    assertEquals(sentBefore, HitlAgents.SENT.get());
  }

  @Test
  void outOfOrderControlsAreRefusedAndChangeNothing() throws Exception {
    AgentHandle handle = execute("send that", "hostile-1");
    RunResult suspended = await(handle.result());
    assertEquals(RunControlException.Reason.NOT_FOUND, refused(handle.approve("nope", true, null)).reason());
    assertEquals(
        RunControlException.Reason.NOT_FOUND,
        refused(handle.submitToolResult("call-send", Json.object(), null)).reason());
    assertEquals(
        RunControlException.Reason.CONFLICT, refused(handle.resume("go")).reason(), "not interrupted");
    assertEquals(suspended, await(handle.status()));

    AgentHandle plain = execute("hello", "hostile-2");
    RunResult completed = await(plain.result());
    assertEquals(RunStatus.completed, completed.status());
    assertEquals(RunControlException.Reason.CONFLICT, refused(plain.approve("nope", true, null)).reason());
    assertEquals(RunControlException.Reason.CONFLICT, refused(plain.resume("more")).reason());
    assertEquals(RunControlException.Reason.CONFLICT, refused(plain.interrupt("x")).reason());
    assertEquals(completed, await(plain.status()));
  }

  @Test
  void aClientToolResultIsValidatedThenContinuesTheRun() throws Exception {
    AgentHandle handle = execute("where am I?", "client-1");
    RunResult suspended = await(handle.result());
    assertEquals(RunStatus.suspended, suspended.status());
    PendingRequest request = suspended.pending().get(0);
    assertEquals(PendingRequest.CLIENT_TOOL, request.kind());
    assertEquals("call-where", request.toolCallId());

    RunControlException invalid =
        refused(handle.submitToolResult("call-where", Json.object().put("town", 1), null));
    assertEquals(RunControlException.Reason.INVALID, invalid.reason());
    assertEquals(suspended, await(handle.status()), "the run still waits");

    await(handle.submitToolResult("call-where", Json.object().put("city", "Oslo"), null));
    RunResult done = await(handle.result());
    assertEquals(RunStatus.completed, done.status());
    assertTrue(done.output().asText().contains("Oslo"), done.output().asText());
    assertEquals(
        RunControlException.Reason.CONFLICT,
        refused(handle.submitToolResult("call-where", Json.object().put("city", "Rome"), null))
            .reason());
  }

  @Test
  void anInterruptStopsTheAnswerInFlightAndAResumeGoesOnWithTheMessage() throws Exception {
    AgentHandle handle = execute("tell me a long story", "interrupt-1");
    List<StreamChunk> seen = new CopyOnWriteArrayList<>();
    handle.stream(0).runWith(Sink.foreach(seen::add), runtime.testKit.system());
    TestRuntime.awaitCondition(
        () -> seen.stream().filter(c -> c.type().equals("text_delta")).count() >= 3,
        Duration.ofSeconds(10));
    int cancelledBefore = model.cancelledCalls();
    long start = System.nanoTime();
    RunResult interrupted = await(handle.interrupt("wait"));
    assertEquals(RunStatus.interrupted, interrupted.status());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(1)) < 0);
    assertEquals(cancelledBefore + 1, model.cancelledCalls());
    assertEquals(interrupted, await(handle.result()), "an interrupted run has settled");

    RunResult resumed = await(handle.resume("shorter please"));
    assertTrue(resumed.status() == RunStatus.running || resumed.status() == RunStatus.completed);
    RunResult done = await(handle.result());
    assertEquals(RunStatus.completed, done.status());
    assertEquals("you said: shorter please", done.output().asText());
    TestRuntime.awaitCondition(
        () -> seen.stream().anyMatch(c -> c.type().equals("run_end")), Duration.ofSeconds(10));
    assertTrue(seen.stream().anyMatch(c -> c.type().equals("run_interrupted")));
    assertTrue(seen.stream().anyMatch(c -> c.type().equals("run_resumed")));
    assertEquals(RunControlException.Reason.CONFLICT, refused(handle.resume("again")).reason());
  }

  // ---- a restart of the entity while it waits

  private EventSourcedBehaviorTestKit<RunCommand, RunEvent, RunState> entity(String runId) {
    var system = runtime.testKit.system();
    RunEnvironment environment =
        new RunEnvironment(
            agents,
            new ModelCatalog().register("scripted", model),
            RunSettings.fromConfig(system.settings().config().getConfig("helix")),
            ClusterSharding.get(system),
            Executors.newCachedThreadPool());
    TestProbe<ClusterSharding.ShardCommand> shard = runtime.testKit.createTestProbe();
    return EventSourcedBehaviorTestKit.create(
        system,
        RunEntity.create(runId, shard.getRef(), environment));
  }

  @Test
  void aRestartedRunStillWaitsForTheSameApprovalAndRunsTheToolOnceApproved() {
    var kit = entity("restart-1");
    kit.<StartReply>runCommand(
        replyTo -> new RunCommand.Start("hitl", "send it", null, null, replyTo));
    TestRuntime.awaitCondition(
        () -> kit.getState().status() == RunStatus.suspended && kit.getState().pendingToolCalls().size() == 1,
        Duration.ofSeconds(10));
    RunState before = kit.getState();
    int sentBefore = HitlAgents.SENT.get();

    RunState recovered = kit.restart().state();
    assertEquals(before, recovered, "the journal rebuilds the same wait");
    String approvalId = recovered.held().get(0).approvalId();

    var decided =
        kit.<ControlReply>runCommand(
            replyTo -> new RunCommand.Approve(approvalId, true, null, replyTo));
    assertInstanceOf(RunEvent.ApprovalDecided.class, decided.event());
    TestRuntime.awaitCondition(() -> kit.getState().terminal(), Duration.ofSeconds(10));
    assertEquals(RunStatus.completed, kit.getState().status());
    assertEquals(sentBefore + 1, HitlAgents.SENT.get(), "the approved tool ran once");
    assertEquals(1, model.requests("restart-1", 1), "step 1 was persisted: never asked again");
    assertTrue(kit.getState().messages().get(0) instanceof UserMessage);
  }
}
