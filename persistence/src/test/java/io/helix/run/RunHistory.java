package io.helix.run;

import java.util.List;

/** For tests of other modules: folds a run's events the way {@link RunEntity} does. */
public final class RunHistory {

  private RunHistory() {}

  /** The run's state after these events, in journal order. */
  public static RunState fold(List<RunEvent> events) {
    RunState state = RunState.EMPTY;
    for (RunEvent event : events) {
      state = state.apply(event);
    }
    return state;
  }

  /** The id of the sub-agent run that a tool call of a parent run starts. */
  public static String childRunId(String parentRunId, int step, String toolCallId) {
    return RunEntity.childRunId(parentRunId, step, toolCallId);
  }
}
