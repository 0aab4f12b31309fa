package io.helix.run;

import static io.helix.run.RunDecisionsTest.NOW;
import static io.helix.run.RunDecisionsTest.apply;
import static io.helix.run.RunDecisionsTest.calls;
import static io.helix.run.RunDecisionsTest.started;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.PendingRequest;
import io.helix.agent.RunControlException.Reason;
import io.helix.agent.RunStatus;
import io.helix.agent.Tool;
import io.helix.json.Json;
import io.helix.model.AssistantMessage;
import io.helix.model.ToolCall;
import io.helix.model.ToolResultMessage;
import io.helix.model.UserMessage;
import io.helix.run.HumanDecisions.Control;
import io.helix.run.RunDecisions.Next;
import io.helix.testkit.TestAgents;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The decisions of a person in the loop, without an actor system. */
class HumanDecisionsTest {

  record Email(String to, String body) {}

  record Where(String precision) {}

  record City(String city) {}

  static final Tool SEND =
      Tool.of("send", "sends", Email.class, (in, ctx) -> CompletableFuture.completedFuture("sent"))
          .requireApproval();
  static final Tool PAY =
      Tool.of("pay", "pays", Email.class, (in, ctx) -> CompletableFuture.completedFuture("paid"))
          .requireApproval(input -> input.path("to").asText().startsWith("stranger"));
  static final Tool LOCATE = Tool.client("locate", "where the user is", Where.class, City.class);

  static final AgentDefinition AGENT =
      AgentDefinition.builder("hitl")
          .systemPrompt("help")
          .model("scripted:x")
          .tools(TestAgents.ADD, SEND, PAY, LOCATE)
          .build();

  static ToolCall send(String id) {
    return new ToolCall(id, "send", Json.object().put("to", "a@b").put("body", "hi"));
  }

  static ToolCall locate(String id) {
    return new ToolCall(id, "locate", Json.object().put("precision", "city"));
  }

  static RunState answered(ToolCall... calls) {
    RunState state = started(AGENT);
    return apply(state, RunDecisions.onModelAnswer(state, Optional.of(AGENT), calls(calls), RunLimits.UNLIMITED, NOW));
  }

  static RunState after(RunState state, Control control) {
    return apply(state, assertInstanceOf(Control.Persist.class, control).events());
  }

  @Test
  void aGatedCallAndAClientCallAreRequestedWithTheResponseAndTheRunIsSuspended() {
    RunState state = answered(RunDecisionsTest.add("c1"), send("c2"), locate("c3"));
    assertEquals(RunStatus.suspended, state.status());
    List<PendingRequest> pending = state.toResult().pending();
    assertEquals(2, pending.size());
    assertEquals(PendingRequest.APPROVAL, pending.get(0).kind());
    assertEquals("c2", pending.get(0).toolCallId());
    assertEquals(HumanDecisions.approvalId("run-1", 1, "c2"), pending.get(0).approvalId());
    assertEquals("run-1", pending.get(0).runId());
    assertEquals(PendingRequest.CLIENT_TOOL, pending.get(1).kind());
    assertNull(pending.get(1).approvalId());
    Next next = RunDecisions.next(state);
    assertEquals(List.of("c1"), ((Next.RunTools) next).calls().stream().map(ToolCall::id).toList());
  }

  @Test
  void aPredicateGatesOnlyTheInputsItHoldsFor() {
    ToolCall friend = new ToolCall("c1", "pay", Json.object().put("to", "friend").put("body", ""));
    ToolCall stranger =
        new ToolCall("c2", "pay", Json.object().put("to", "stranger").put("body", ""));
    RunState state = answered(friend, stranger);
    assertEquals(List.of("c2"), state.held().stream().map(RunState.Held::toolCallId).toList());
  }

  @Test
  void approvedTheCallRunsOnceDecided() {
    RunState state = answered(send("c1"));
    assertInstanceOf(Next.Wait.class, RunDecisions.next(state));
    String id = state.held().get(0).approvalId();
    RunState approved =
        after(state, HumanDecisions.approve(state, Optional.of(AGENT), id, true, null, NOW));
    assertEquals(RunStatus.running, approved.status());
    assertTrue(approved.held().isEmpty());
    assertEquals(List.of("c1"), ((Next.RunTools) RunDecisions.next(approved)).calls().stream().map(ToolCall::id).toList());

    assertInstanceOf(
        Control.Unchanged.class,
        HumanDecisions.approve(approved, Optional.of(AGENT), id, true, "again", NOW),
        "the same decision again is answered as the first time");
    Control.Refused conflict =
        assertInstanceOf(
            Control.Refused.class,
            HumanDecisions.approve(approved, Optional.of(AGENT), id, false, null, NOW));
    assertEquals(Reason.CONFLICT, conflict.reason());
  }

  @Test
  void deniedTheModelHearsTheDenialAndTheReason() {
    RunState state = answered(send("c1"));
    String id = state.held().get(0).approvalId();
    RunState denied =
        after(state, HumanDecisions.approve(state, Optional.of(AGENT), id, false, "not today", NOW));
    ToolResultMessage result = (ToolResultMessage) denied.messages().get(denied.messages().size() - 1);
    assertFalse(result.success());
    assertTrue(result.error().contains("denied") && result.error().contains("not today"), result.error());
    assertEquals(RunStatus.running, denied.status());
    assertInstanceOf(Next.AskModel.class, RunDecisions.next(denied));
  }

  @Test
  void unknownApprovalsAndApprovalsOfARunThatWaitsForNoneAreRefused() {
    RunState state = answered(send("c1"));
    Control.Refused unknown =
        assertInstanceOf(
            Control.Refused.class,
            HumanDecisions.approve(state, Optional.of(AGENT), "nope", true, null, NOW));
    assertEquals(Reason.NOT_FOUND, unknown.reason());
    RunState running = answered(RunDecisionsTest.add("c1"));
    Control.Refused notSuspended =
        assertInstanceOf(
            Control.Refused.class,
            HumanDecisions.approve(running, Optional.of(AGENT), "nope", true, null, NOW));
    assertEquals(Reason.CONFLICT, notSuspended.reason());
  }

  @Test
  void aClientResultIsValidatedAgainstTheOutputSchemaThenRecorded() {
    RunState state = answered(locate("c1"));
    JsonNode wrong = Json.object().put("town", 3);
    Control.Refused invalid =
        assertInstanceOf(
            Control.Refused.class,
            HumanDecisions.toolResult(state, Optional.of(AGENT), "c1", wrong, null, NOW));
    assertEquals(Reason.INVALID, invalid.reason());
    RunState done =
        after(
            state,
            HumanDecisions.toolResult(
                state, Optional.of(AGENT), "c1", Json.object().put("city", "Oslo"), null, NOW));
    assertEquals(RunStatus.running, done.status());
    assertInstanceOf(Next.AskModel.class, RunDecisions.next(done));
    Control.Refused twice =
        assertInstanceOf(
            Control.Refused.class,
            HumanDecisions.toolResult(done, Optional.of(AGENT), "c1", null, "x", NOW));
    assertEquals(Reason.CONFLICT, twice.reason());
    RunState failed =
        after(state, HumanDecisions.toolResult(state, Optional.of(AGENT), "c1", null, "denied by user", NOW));
    ToolResultMessage error = (ToolResultMessage) failed.messages().get(failed.messages().size() - 1);
    assertEquals("denied by user", error.error());
  }

  @Test
  void anInterruptFailsTheOpenCallsKeepsTheStreamedTextAndAResumeGoesOnWithAMessage() {
    RunState state = answered(RunDecisionsTest.add("c1"), send("c2"));
    AssistantMessage partial = new AssistantMessage("half an ans", List.of(), null);
    RunState interrupted =
        after(state, HumanDecisions.interrupt(state, "stop", partial, NOW));
    assertEquals(RunStatus.interrupted, interrupted.status());
    assertTrue(interrupted.held().isEmpty());
    assertTrue(interrupted.pendingToolCalls().isEmpty());
    assertEquals(partial, interrupted.messages().get(interrupted.messages().size() - 1));
    assertInstanceOf(Next.Wait.class, RunDecisions.next(interrupted));
    assertInstanceOf(
        Control.Unchanged.class, HumanDecisions.interrupt(interrupted, "again", null, NOW));

    RunState resumed =
        after(interrupted, HumanDecisions.resume(interrupted, "go on, in French", NOW));
    assertEquals(RunStatus.running, resumed.status());
    assertEquals(
        new UserMessage("go on, in French"), resumed.messages().get(resumed.messages().size() - 1));
    assertInstanceOf(Next.AskModel.class, RunDecisions.next(resumed));
    assertEquals(
        Reason.CONFLICT,
        assertInstanceOf(Control.Refused.class, HumanDecisions.resume(resumed, null, NOW)).reason());
  }

  @Test
  void anEndedRunCannotBeResumedNorInterrupted() {
    RunState done =
        apply(started(AGENT), List.of(new RunEvent.RunAborted("enough", null, NOW)));
    assertEquals(
        Reason.CONFLICT,
        assertInstanceOf(Control.Refused.class, HumanDecisions.resume(done, null, NOW)).reason());
    assertEquals(
        Reason.CONFLICT,
        assertInstanceOf(Control.Refused.class, HumanDecisions.interrupt(done, null, null, NOW))
            .reason());
  }

  @Test
  void aSnapshotWithoutTheNewFieldsReadsWithNoneHeld() {
    RunState old =
        new RunState(
            "r", "a", "i", "r", null, RunStatus.running, null, 0, null, null, null, false, null,
            null, null, 0, 0, null, null, null, null);
    assertTrue(old.held().isEmpty());
    assertEquals(RunState.Origin.NONE, old.origin());
    assertTrue(old.decisions().isEmpty());
    assertTrue(old.toResult().pending().isEmpty());
  }
}
