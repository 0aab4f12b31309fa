package io.helix.run;

import static io.helix.run.RunDecisionsTest.NOW;
import static io.helix.run.RunDecisionsTest.apply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.helix.agent.AgentDefinition;
import io.helix.agent.PendingRequest;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.model.AssistantMessage;
import io.helix.model.ModelResponse;
import io.helix.model.TokenUsage;
import io.helix.model.ToolCall;
import io.helix.testkit.HitlAgents;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a run shows what its sub-agents wait for, and which child a control is passed on to. */
class SubAgentWaitsTest {

  static final AgentDefinition PARENT = HitlAgents.parent("delegator", "scripted:x");
  static final PendingRequest CHILD_APPROVAL =
      new PendingRequest(
          PendingRequest.APPROVAL, "child-1", "call-send", "a-1", "send", Json.object());
  static final PendingRequest CHILD_CLIENT_TOOL =
      new PendingRequest(
          PendingRequest.CLIENT_TOOL, "child-1", "call-where", null, "locate", Json.object());

  /** A parent whose model asked its sub-agent (call "call-delegate") for a task. */
  static RunState delegating() {
    RunState state = RunDecisionsTest.started(PARENT);
    ToolCall delegate =
        new ToolCall(
            "call-delegate",
            "subagent__" + HitlAgents.CHILD,
            Json.object().put("message", "send it"));
    ModelResponse response =
        new ModelResponse(
            new AssistantMessage("", List.of(delegate), null), "tool_calls", new TokenUsage(1, 1));
    return apply(
        state,
        RunDecisions.onModelAnswer(state, Optional.of(PARENT), response, RunLimits.UNLIMITED, NOW));
  }

  @Test
  void aRunWhoseChildWaitsShowsItselfSuspendedWithTheChildsRequests() {
    RunState state = delegating();
    SubAgentWaits waits = new SubAgentWaits();
    assertEquals(state.toResult(), waits.present(state), "nothing waits: the run as it is");

    waits.child("call-delegate", List.of(CHILD_APPROVAL, CHILD_CLIENT_TOOL));
    var shown = waits.present(state);
    assertEquals(RunStatus.running, state.status(), "its own status is unchanged");
    assertEquals(RunStatus.suspended, shown.status());
    assertEquals(List.of(CHILD_APPROVAL, CHILD_CLIENT_TOOL), shown.pending());

    waits.child("call-delegate", List.of());
    assertEquals(state.toResult(), waits.present(state), "the child goes on: so does the run");
  }

  @Test
  void aControlOfAChildsRequestIsPassedOnToThatChildOnly() {
    RunState state = delegating();
    SubAgentWaits waits = new SubAgentWaits();
    waits.child("call-delegate", List.of(CHILD_APPROVAL, CHILD_CLIENT_TOOL));
    assertEquals(
        Optional.of("call-delegate"),
        waits.childWaitingFor(state, p -> "a-1".equals(p.approvalId())));
    assertEquals(
        Optional.of("call-delegate"),
        waits.childWaitingFor(
            state,
            p -> p.kind().equals(PendingRequest.CLIENT_TOOL) && p.toolCallId().equals("call-where")));
    assertEquals(Optional.empty(), waits.childWaitingFor(state, p -> "other".equals(p.approvalId())));
  }

  @Test
  void anEndedCallOrRunShowsNoChildRequests() {
    RunState state = delegating();
    SubAgentWaits waits = new SubAgentWaits();
    waits.child("call-delegate", List.of(CHILD_APPROVAL));
    RunState answered =
        apply(
            state,
            List.of(
                new RunEvent.ToolResultRecorded(
                    1, "call-delegate", "subagent__" + HitlAgents.CHILD, Json.object(), true, null,
                    NOW)));
    assertEquals(answered.toResult(), waits.present(answered), "its call has a result");
    assertEquals(
        Optional.empty(), waits.childWaitingFor(answered, p -> "a-1".equals(p.approvalId())));
    RunState failed = apply(state, List.of(new RunEvent.RunFailed("x", null, NOW)));
    assertSame(RunStatus.failed, waits.present(failed).status());
  }
}
