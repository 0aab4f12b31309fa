package io.helix.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.RunStatus;
import io.helix.model.Message;
import io.helix.serialization.CborSerializable;
import java.util.List;

/** The journal of a session: its turns starting and ending. */
public sealed interface SessionEvent extends CborSerializable {

  long timestamp();

  /** A turn started (the first one creates the session); its run is started right after. */
  record TurnStarted(
      String sessionId,
      String owner,
      String agentType,
      String runId,
      String message,
      long timestamp)
      implements SessionEvent {}

  /**
   * The active turn's run ended: {@code messages} are its own (appended to the conversation),
   * {@code state} its custom state (the next turn's initial state).
   */
  record TurnEnded(
      String runId, RunStatus status, List<Message> messages, JsonNode state, long timestamp)
      implements SessionEvent {
    public TurnEnded {
      messages = messages == null ? List.of() : List.copyOf(messages);
    }
  }

  /** The active turn's run was never started (its start was lost): the turn is dropped. */
  record TurnAbandoned(String runId, long timestamp) implements SessionEvent {}

  /** The session was erased; its events are deleted right after. */
  record SessionErased(long timestamp) implements SessionEvent {}
}
