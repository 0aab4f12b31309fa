package io.helix.session;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.RunStatus;
import io.helix.agent.SessionView;
import io.helix.model.Message;
import io.helix.serialization.CborSerializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A session as its events made it; {@code sessionId} is null until its first turn.
 *
 * @param messages the conversation of the ended turns
 * @param state the custom state the last ended turn left (null: none yet)
 */
record SessionState(
    String sessionId,
    String owner,
    String agentType,
    List<Turn> turns,
    String activeRunId,
    List<Message> messages,
    JsonNode state,
    long createdAt,
    long updatedAt)
    implements CborSerializable {

  static final SessionState EMPTY =
      new SessionState(null, null, null, List.of(), null, List.of(), null, 0, 0);

  /** Lists are never null (see docs/journal-compatibility.md). */
  SessionState {
    turns = turns == null ? List.of() : turns;
    messages = messages == null ? List.of() : messages;
  }

  /** A turn: {@code status} running while active; {@code endedAt} 0 until it ends. */
  record Turn(String runId, String message, RunStatus status, long startedAt, long endedAt)
      implements CborSerializable {}

  @JsonIgnore
  boolean exists() {
    return sessionId != null;
  }

  SessionView view() {
    return new SessionView(
        sessionId,
        owner,
        agentType,
        turns.stream()
            .map(t -> new SessionView.Turn(t.runId(), t.message(), t.status(), t.startedAt(), t.endedAt()))
            .toList(),
        activeRunId,
        messages,
        createdAt,
        updatedAt);
  }

  SessionState apply(SessionEvent event) {
    if (event instanceof SessionEvent.TurnStarted e) {
      List<Turn> more = new ArrayList<>(turns);
      more.add(new Turn(e.runId(), e.message(), RunStatus.running, e.timestamp(), 0));
      return new SessionState(
          e.sessionId(), e.owner(), e.agentType(), List.copyOf(more), e.runId(), messages, state,
          exists() ? createdAt : e.timestamp(), e.timestamp());
    } else if (event instanceof SessionEvent.TurnEnded e) {
      List<Message> conversation = new ArrayList<>(messages);
      conversation.addAll(e.messages());
      List<Turn> ended =
          turns.stream()
              .map(
                  t ->
                      t.runId().equals(e.runId())
                          ? new Turn(t.runId(), t.message(), e.status(), t.startedAt(), e.timestamp())
                          : t)
              .toList();
      return new SessionState(
          sessionId, owner, agentType, ended, null, List.copyOf(conversation),
          e.state() == null ? state : e.state(), createdAt, e.timestamp());
    } else if (event instanceof SessionEvent.TurnAbandoned e) {
      List<Turn> kept = turns.stream().filter(t -> !t.runId().equals(e.runId())).toList();
      if (kept.isEmpty()) {
        return EMPTY; // its only turn never started: there was no session
      }
      return new SessionState(
          sessionId, owner, agentType, kept, null, messages, state, createdAt, e.timestamp());
    } else if (event instanceof SessionEvent.SessionErased) {
      return EMPTY;
    }
    throw new IllegalArgumentException("unknown session event " + event);
  }
}
