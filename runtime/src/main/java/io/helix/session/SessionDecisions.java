package io.helix.session;

import io.helix.run.RunCommand;
import io.helix.run.TurnReport;
import java.util.Optional;

/** What a session does with a command: pure, state and command in, events and answer out. */
final class SessionDecisions {

  private SessionDecisions() {}

  /** A turn asked of the session: the event to persist (if any) and the answer. */
  record Start(Optional<SessionEvent> event, TurnReply reply) {}

  static Start startTurn(SessionState state, SessionCommand.StartTurn start, long now) {
    if (state.exists() && !state.agentType().equals(start.agentType())) {
      return new Start(Optional.empty(), new TurnReply.OtherAgent(state.agentType()));
    }
    if (state.activeRunId() != null) {
      if (state.activeRunId().equals(start.runId())) {
        // the same start again: the run answers it as it did the first time
        return new Start(Optional.empty(), proceed(state, start.sessionId()));
      }
      return new Start(Optional.empty(), new TurnReply.Busy(state.activeRunId()));
    }
    SessionEvent started =
        new SessionEvent.TurnStarted(
            start.sessionId(), start.owner(), start.agentType(), start.runId(), start.message(), now);
    return new Start(Optional.of(started), proceed(state, start.sessionId()));
  }

  /**
   * The event a report of the active turn's run makes: ended, or never started; none for a run
   * that is not the active turn's or still goes on (reports may come twice, or late).
   */
  static Optional<SessionEvent> endTurn(SessionState state, TurnReport report, long now) {
    if (state.activeRunId() == null || !state.activeRunId().equals(report.runId())) {
      return Optional.empty();
    }
    if (!report.exists()) {
      return Optional.of(new SessionEvent.TurnAbandoned(report.runId(), now));
    }
    if (report.ended()) {
      return Optional.of(
          new SessionEvent.TurnEnded(
              report.runId(), report.status(), report.messages(), report.state(), now));
    }
    return Optional.empty();
  }

  /** The turn's run starts from the conversation and custom state of the ended turns. */
  private static TurnReply proceed(SessionState state, String sessionId) {
    return new TurnReply.Proceed(new RunCommand.Turn(sessionId, state.messages(), state.state()));
  }
}
