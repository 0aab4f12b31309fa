package io.helix.run;

/**
 * Hears of a session's turn that ended: a root run with a session calls it when it ends, and again
 * when it is recovered ended (so it may be told twice; a lost call is made good by the session
 * asking the run, see {@link RunCommand.ReportTurn}).
 */
@FunctionalInterface
public interface TurnListener {

  TurnListener NONE = report -> {};

  void turnEnded(TurnReport report);
}
