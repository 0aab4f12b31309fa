package io.helix.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.RunStatus;
import io.helix.model.Message;
import io.helix.serialization.CborSerializable;
import java.util.List;

/**
 * A run as a turn of its session sees it ({@link RunCommand.ReportTurn}; a root run of a session
 * also sends it when it ends).
 *
 * @param exists false when no run has the id (the fields below are then empty)
 * @param messages the run's own messages (after its session's history)
 * @param state the run's custom state, which the session's next turn starts from
 * @param subAgentRunIds the runs of its sub-agents (not theirs)
 */
public record TurnReport(
    String runId,
    boolean exists,
    RunStatus status,
    String owner,
    String sessionId,
    List<Message> messages,
    JsonNode state,
    List<String> subAgentRunIds)
    implements CborSerializable {

  public TurnReport {
    messages = messages == null ? List.of() : List.copyOf(messages);
    subAgentRunIds = subAgentRunIds == null ? List.of() : List.copyOf(subAgentRunIds);
  }

  /** No run has this id. */
  public static TurnReport none(String runId) {
    return new TurnReport(runId, false, null, null, null, List.of(), null, List.of());
  }

  static TurnReport of(RunState state) {
    return new TurnReport(
        state.runId(),
        true,
        state.status(),
        state.origin().owner(),
        state.origin().sessionId(),
        state.turnMessages(),
        state.customState(),
        state.subAgents().stream().map(RunState.SubAgentRef::childRunId).toList());
  }

  /** Whether the run has ended (its session may start the next turn). */
  public boolean ended() {
    return exists && status != null && status.isTerminal();
  }
}
