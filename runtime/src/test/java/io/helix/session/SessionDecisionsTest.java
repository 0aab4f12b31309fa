package io.helix.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.model.AssistantMessage;
import io.helix.model.Message;
import io.helix.model.UserMessage;
import io.helix.run.TurnReport;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a session decides, without an actor. */
class SessionDecisionsTest {

  private static final long NOW = 1_000;

  private static SessionCommand.StartTurn start(String agent, String runId) {
    return new SessionCommand.StartTurn("s", "alice", agent, "hi " + runId, runId, null);
  }

  private static SessionState apply(SessionState state, Optional<SessionEvent> event) {
    return event.map(state::apply).orElse(state);
  }

  private static TurnReport ended(String runId, List<Message> messages, JsonNode state) {
    return new TurnReport(runId, true, RunStatus.completed, "alice", "s", messages, state, List.of());
  }

  @Test
  void theFirstTurnCreatesTheSessionAndStartsFromNothing() {
    SessionDecisions.Start first = SessionDecisions.startTurn(SessionState.EMPTY, start("chat", "r1"), NOW);
    SessionEvent.TurnStarted started = assertInstanceOf(SessionEvent.TurnStarted.class, first.event().orElseThrow());
    assertEquals("r1", started.runId());
    TurnReply.Proceed proceed = assertInstanceOf(TurnReply.Proceed.class, first.reply());
    assertTrue(proceed.turn().history().isEmpty());
    SessionState state = apply(SessionState.EMPTY, first.event());
    assertEquals("r1", state.activeRunId());
    assertEquals("alice", state.owner());
  }

  @Test
  void aTurnWhileOneIsActiveIsBusyAndTheSameStartAgainProceedsAgain() {
    SessionState state = apply(SessionState.EMPTY, SessionDecisions.startTurn(SessionState.EMPTY, start("chat", "r1"), NOW).event());
    SessionDecisions.Start other = SessionDecisions.startTurn(state, start("chat", "r2"), NOW);
    assertTrue(other.event().isEmpty());
    assertEquals("r1", assertInstanceOf(TurnReply.Busy.class, other.reply()).activeRunId());
    SessionDecisions.Start same = SessionDecisions.startTurn(state, start("chat", "r1"), NOW);
    assertTrue(same.event().isEmpty());
    assertInstanceOf(TurnReply.Proceed.class, same.reply());
    assertInstanceOf(
        TurnReply.OtherAgent.class, SessionDecisions.startTurn(state, start("other", "r3"), NOW).reply());
  }

  @Test
  void anEndedTurnAddsItsMessagesAndStateForTheNextTurn() {
    SessionState state = apply(SessionState.EMPTY, SessionDecisions.startTurn(SessionState.EMPTY, start("chat", "r1"), NOW).event());
    List<Message> turn = List.of(new UserMessage("hi r1"), new AssistantMessage("hello", List.of(), null));
    JsonNode custom = Json.object().put("n", 1);
    state = apply(state, SessionDecisions.endTurn(state, ended("r1", turn, custom), NOW + 1));
    assertEquals(null, state.activeRunId());
    assertEquals(RunStatus.completed, state.turns().get(0).status());
    TurnReply.Proceed next =
        assertInstanceOf(TurnReply.Proceed.class, SessionDecisions.startTurn(state, start("chat", "r2"), NOW).reply());
    assertEquals(turn, next.turn().history());
    assertEquals(custom, next.turn().state());
  }

  @Test
  void reportsOfOtherRunsOrOfRunsStillGoingChangeNothingAndALostStartIsAbandoned() {
    SessionState state = apply(SessionState.EMPTY, SessionDecisions.startTurn(SessionState.EMPTY, start("chat", "r1"), NOW).event());
    assertTrue(SessionDecisions.endTurn(state, ended("r0", List.of(), null), NOW).isEmpty());
    TurnReport running = new TurnReport("r1", true, RunStatus.suspended, "alice", "s", List.of(), null, List.of());
    assertTrue(SessionDecisions.endTurn(state, running, NOW).isEmpty());
    SessionState abandoned = apply(state, SessionDecisions.endTurn(state, TurnReport.none("r1"), NOW));
    assertTrue(!abandoned.exists(), "a session whose only turn never started is no session");
  }
}
