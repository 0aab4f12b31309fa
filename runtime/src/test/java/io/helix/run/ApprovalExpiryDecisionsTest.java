package io.helix.run;

import static io.helix.run.HumanDecisionsTest.AGENT;
import static io.helix.run.HumanDecisionsTest.answered;
import static io.helix.run.HumanDecisionsTest.locate;
import static io.helix.run.HumanDecisionsTest.send;
import static io.helix.run.RunDecisionsTest.NOW;
import static io.helix.run.RunDecisionsTest.apply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.PendingRequest;
import io.helix.agent.RunControlException.Reason;
import io.helix.agent.RunStatus;
import io.helix.model.ToolResultMessage;
import io.helix.run.HumanDecisions.Control;
import io.helix.run.RunDecisions.Next;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The expiry of approvals ({@code helix.run.approval-timeout}), without an actor system. */
class ApprovalExpiryDecisionsTest {

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Test
  void theFirstApprovalExpiresItsTimeoutAfterItsPersistedRequest() {
    RunState state = answered(send("c1"), locate("c2")); // requested at NOW
    assertEquals(Optional.of(NOW + 10_000), HumanDecisions.nextExpiry(state, TIMEOUT));
    assertEquals(Optional.empty(), HumanDecisions.nextExpiry(state, Duration.ZERO), "off");
    RunState clientOnly = answered(locate("c2"));
    assertEquals(Optional.empty(), HumanDecisions.nextExpiry(clientOnly, TIMEOUT), "a client tool never expires");
  }

  @Test
  void nothingExpiresBeforeItsTimeOrWhenExpiryIsOff() {
    RunState state = answered(send("c1"));
    assertEquals(List.of(), HumanDecisions.expired(state, Optional.of(AGENT), TIMEOUT, NOW + 9_999));
    assertEquals(List.of(), HumanDecisions.expired(state, Optional.of(AGENT), Duration.ZERO, NOW + 99_000));
  }

  @Test
  void anExpiredApprovalIsADenialWithItsReasonAndTheModelHearsIt() {
    RunState state = answered(send("c1"), locate("c2"));
    String approvalId = state.held().get(0).approvalId();
    List<RunEvent> events =
        HumanDecisions.expired(state, Optional.of(AGENT), TIMEOUT, NOW + 10_000);
    assertEquals(2, events.size(), events.toString());
    RunEvent.ApprovalDecided decided = assertInstanceOf(RunEvent.ApprovalDecided.class, events.get(0));
    assertEquals(approvalId, decided.approvalId());
    assertFalse(decided.approved());
    assertEquals("approval expired after PT10S", decided.reason());
    RunEvent.ToolResultRecorded failed =
        assertInstanceOf(RunEvent.ToolResultRecorded.class, events.get(1));
    assertEquals("c1", failed.toolCallId());
    assertFalse(failed.success());
    assertEquals(
        "the call of 'send' was denied approval: approval expired after PT10S", failed.error());

    RunState after = apply(state, events);
    assertEquals(RunStatus.suspended, after.status(), "the client tool still waits");
    assertEquals(
        List.of(PendingRequest.CLIENT_TOOL),
        after.toResult().pending().stream().map(PendingRequest::kind).toList());
    assertTrue(after.messages().get(after.messages().size() - 1) instanceof ToolResultMessage);
    assertEquals(List.of(), HumanDecisions.expired(after, Optional.of(AGENT), TIMEOUT, NOW + 20_000));
  }

  @Test
  void anExpiredApprovalIsAnsweredAsDeniedAndRefusedAsApproved() {
    RunState state = answered(send("c1"));
    String approvalId = state.held().get(0).approvalId();
    RunState after =
        apply(state, HumanDecisions.expired(state, Optional.of(AGENT), TIMEOUT, NOW + 10_000));
    assertInstanceOf(Next.AskModel.class, RunDecisions.next(after), "the model hears it");

    Control approved = HumanDecisions.approve(after, Optional.of(AGENT), approvalId, true, null, NOW);
    Control.Refused refused = assertInstanceOf(Control.Refused.class, approved);
    assertEquals(Reason.CONFLICT, refused.reason());
    assertTrue(refused.message().contains("approval expired after PT10S"), refused.message());
    assertInstanceOf(
        Control.Unchanged.class,
        HumanDecisions.approve(after, Optional.of(AGENT), approvalId, false, "late", NOW));
  }
}
