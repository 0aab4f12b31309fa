package io.helix.persistence.readmodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.json.JsonPatch;
import io.helix.model.AssistantMessage;
import io.helix.model.TokenUsage;
import io.helix.run.RunEntity;
import io.helix.run.RunEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;

/**
 * Projects run events into {@code agent_state} and {@code messages}, the way {@code
 * RunState.apply} folds them, in the projection's transaction (which also stores its offset).
 *
 * <p>Every event is applied once and in order, also if it were delivered again (at-least-once
 * delivery, two projections of one tag after a split brain, a change of {@code
 * helix.run.event-tags}): {@code agent_state.event_seq} holds the journal sequence number of the
 * run's last projected event; an event at or below it is skipped, and an event after a gap fails
 * the transaction, so the projection retries until the missing event is there.
 */
final class RunEventHandler extends JdbcHandler<List<EventEnvelope<RunEvent>>, ReadModelSession> {

  /** A run's persistence id is this prefix and its run id. */
  static final String PERSISTENCE_ID_PREFIX = PersistenceId.of(RunEntity.TYPE_KEY.name(), "").id();

  private static final String INSERT_RUN =
      "INSERT INTO agent_state (run_id, agent_type, stream_id, status, step_count, custom_state,"
          + " parent_agent_id, aborted, created_at, updated_at, input_tokens, output_tokens,"
          + " event_seq, owner, session_id)"
          + " SELECT ?, ?, ?, ?, 0, ?, ?, 0, ?, ?, 0, 0, ?, ?, ?"
          + " WHERE NOT EXISTS (SELECT 1 FROM agent_state WHERE run_id = ?)";

  /** The sequence is the run's next position: one writer per run, in this transaction. */
  private static final String INSERT_MESSAGE =
      "INSERT INTO messages (run_id, role, content, tool_calls, tool_call_id, tool_name, thinking,"
          + " error, sequence, created_at)"
          + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(MAX(sequence) + 1, 0), ?"
          + " FROM messages WHERE run_id = ?";

  private static final String GUARD = " updated_at = ?, event_seq = ? WHERE run_id = ? AND event_seq = ?";

  private static final String TOUCH = "UPDATE agent_state SET" + GUARD;

  private static final String STEP =
      "UPDATE agent_state SET step_count = ?, input_tokens = input_tokens + ?,"
          + " output_tokens = output_tokens + ?,"
          + GUARD;

  private static final String STATE = "UPDATE agent_state SET custom_state = ?," + GUARD;

  private static final String END =
      "UPDATE agent_state SET status = ?, output = ?, error = ?, aborted = ?, abort_reason = ?,"
          + " pending = NULL,"
          + GUARD;

  /** Interrupted (nothing pending then) or resumed. */
  private static final String STATUS =
      "UPDATE agent_state SET status = ?, pending = NULL," + GUARD;

  private static final String SELECT_STATE =
      "SELECT custom_state, event_seq FROM agent_state WHERE run_id = ?";

  private static final String SELECT_SEQ = "SELECT event_seq FROM agent_state WHERE run_id = ?";

  @Override
  public void process(ReadModelSession session, List<EventEnvelope<RunEvent>> envelopes)
      throws Exception {
    session.withConnection(
        connection -> {
          for (EventEnvelope<RunEvent> envelope : envelopes) {
            project(connection, envelope.persistenceId(), envelope.sequenceNr(), envelope.event());
          }
          return null;
        });
  }

  /** Applies one event of the run with this persistence id, in the connection's transaction. */
  static void project(Connection connection, String persistenceId, long seqNr, RunEvent event)
      throws SQLException {
    String runId = runIdOf(persistenceId);
    if (event instanceof RunEvent.RunStarted e) {
      if (insertRun(connection, runId, seqNr, e)) {
        insertMessage(connection, runId, "user", e.message(), null, null, null, null, null, e.timestamp());
      }
      return;
    }
    if (event instanceof RunEvent.StateUpdated e) {
      updateState(connection, runId, seqNr, e);
      return;
    }
    if (event instanceof RunEvent.ApprovalRequested
        || event instanceof RunEvent.ClientToolRequested
        || event instanceof RunEvent.ApprovalDecided) {
      PendingProjection.apply(connection, runId, seqNr, event);
      return;
    }
    if (!update(connection, runId, seqNr, event)) {
      return;
    }
    if (event instanceof RunEvent.ModelResponded e) {
      AssistantMessage message = e.message();
      insertMessage(
          connection,
          runId,
          "assistant",
          message.content(),
          message.hasToolCalls() ? Json.write(message.toolCalls()) : null,
          null,
          null,
          message.thinking(),
          null,
          e.timestamp());
    } else if (event instanceof RunEvent.ToolResultRecorded e) {
      insertMessage(
          connection,
          runId,
          "tool",
          e.result() == null ? null : Json.write(e.result()),
          null,
          e.toolCallId(),
          e.toolName(),
          null,
          e.error(),
          e.timestamp());
      PendingProjection.resolved(connection, runId, e.toolCallId());
    } else if (event instanceof RunEvent.RunInterrupted e && e.interrupted() != null) {
      insertInterrupted(connection, runId, e.interrupted(), e.reason(), e);
    } else if (event instanceof RunEvent.RunResumed e && e.message() != null) {
      insertMessage(connection, runId, "user", e.message(), null, null, null, null, null, e.timestamp());
    } else if (event instanceof RunEvent.OutputRequested e) {
      insertMessage(connection, runId, "user", e.reminder(), null, null, null, null, null, e.timestamp());
    } else if (event instanceof RunEvent.RunAborted e && e.interrupted() != null) {
      insertInterrupted(connection, runId, e.interrupted(), "aborted: " + e.reason(), e);
    } else if (event instanceof RunEvent.RunFailed e && e.interrupted() != null) {
      insertInterrupted(connection, runId, e.interrupted(), e.error(), e);
    }
  }

  /** The answer a run's end cut short, as its last message; {@code error} says why it ended. */
  private static void insertInterrupted(
      Connection connection, String runId, AssistantMessage answer, String why, RunEvent event)
      throws SQLException {
    insertMessage(
        connection,
        runId,
        "assistant",
        answer.content(),
        null,
        null,
        null,
        answer.thinking(),
        "interrupted: " + why,
        event.timestamp());
  }

  static String runIdOf(String persistenceId) {
    if (!persistenceId.startsWith(PERSISTENCE_ID_PREFIX)) {
      throw new IllegalArgumentException("not a run's persistence id: " + persistenceId);
    }
    return persistenceId.substring(PERSISTENCE_ID_PREFIX.length());
  }

  private static boolean insertRun(
      Connection connection, String runId, long seqNr, RunEvent.RunStarted e) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(INSERT_RUN)) {
      s.setString(1, runId);
      s.setString(2, e.agentType());
      s.setString(3, e.streamId());
      s.setString(4, RunStatus.running.name());
      setJson(s, 5, e.initialState());
      s.setString(6, e.parentRunId());
      s.setLong(7, e.timestamp());
      s.setLong(8, e.timestamp());
      s.setLong(9, seqNr);
      s.setString(10, e.owner());
      s.setString(11, e.sessionId());
      s.setString(12, runId);
      return s.executeUpdate() == 1;
    }
  }

  private static void updateState(
      Connection connection, String runId, long seqNr, RunEvent.StateUpdated e)
      throws SQLException {
    JsonNode current;
    long lastSeq;
    try (PreparedStatement s = connection.prepareStatement(SELECT_STATE)) {
      s.setString(1, runId);
      try (ResultSet row = s.executeQuery()) {
        if (!row.next()) {
          throw outOfOrder(runId, seqNr, "its start is not projected yet");
        }
        String json = row.getString(1);
        current = json == null ? NullNode.getInstance() : Json.parse(json);
        lastSeq = row.getLong(2);
      }
    }
    if (!inOrder(runId, seqNr, lastSeq)) {
      return;
    }
    try (PreparedStatement s = connection.prepareStatement(STATE)) {
      setJson(s, 1, JsonPatch.apply(current, e.patch()));
      guard(s, 2, runId, seqNr, e);
      s.executeUpdate();
    }
  }

  /** Updates the run's row for an event other than start and state; false when already applied. */
  private static boolean update(Connection connection, String runId, long seqNr, RunEvent event)
      throws SQLException {
    int updated;
    if (event instanceof RunEvent.ModelResponded e) {
      TokenUsage usage = e.usage() == null ? TokenUsage.ZERO : e.usage();
      try (PreparedStatement s = connection.prepareStatement(STEP)) {
        s.setInt(1, e.step());
        s.setLong(2, usage.inputTokens());
        s.setLong(3, usage.outputTokens());
        guard(s, 4, runId, seqNr, e);
        updated = s.executeUpdate();
      }
    } else if (event instanceof RunEvent.RunCompleted e) {
      updated = end(connection, runId, seqNr, e, RunStatus.completed, e.output(), null, null);
    } else if (event instanceof RunEvent.RunFailed e) {
      updated = end(connection, runId, seqNr, e, RunStatus.failed, null, e.error(), null);
    } else if (event instanceof RunEvent.RunAborted e) {
      updated =
          end(connection, runId, seqNr, e, RunStatus.failed, null, "aborted: " + e.reason(), e.reason());
    } else if (event instanceof RunEvent.RunInterrupted e) {
      updated = status(connection, runId, seqNr, e, RunStatus.interrupted);
    } else if (event instanceof RunEvent.RunResumed e) {
      updated = status(connection, runId, seqNr, e, RunStatus.running);
    } else if (event instanceof RunEvent.ToolResultRecorded
        || event instanceof RunEvent.OutputRequested
        || event instanceof RunEvent.SubAgentStarted) {
      try (PreparedStatement s = connection.prepareStatement(TOUCH)) {
        guard(s, 1, runId, seqNr, event);
        updated = s.executeUpdate();
      }
    } else {
      throw new IllegalArgumentException("unknown run event " + event);
    }
    if (updated == 1) {
      return true;
    }
    try (PreparedStatement s = connection.prepareStatement(SELECT_SEQ)) {
      s.setString(1, runId);
      try (ResultSet row = s.executeQuery()) {
        if (!row.next()) {
          throw outOfOrder(runId, seqNr, "its start is not projected yet");
        }
        long lastSeq = row.getLong(1);
        if (seqNr <= lastSeq) {
          return false; // applied before
        }
        throw outOfOrder(runId, seqNr, "the last projected event is " + lastSeq);
      }
    }
  }

  private static int status(
      Connection connection, String runId, long seqNr, RunEvent event, RunStatus status)
      throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(STATUS)) {
      s.setString(1, status.name());
      guard(s, 2, runId, seqNr, event);
      return s.executeUpdate();
    }
  }

  private static int end(
      Connection connection,
      String runId,
      long seqNr,
      RunEvent event,
      RunStatus status,
      JsonNode output,
      String error,
      String abortReason)
      throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(END)) {
      s.setString(1, status.name());
      setJson(s, 2, output);
      s.setString(3, error);
      s.setInt(4, abortReason == null ? 0 : 1);
      s.setString(5, abortReason);
      guard(s, 6, runId, seqNr, event);
      return s.executeUpdate();
    }
  }

  /** Sets the guard's parameters from {@code index}: applies only right after the previous event. */
  private static void guard(PreparedStatement s, int index, String runId, long seqNr, RunEvent event)
      throws SQLException {
    s.setLong(index, event.timestamp());
    s.setLong(index + 1, seqNr);
    s.setString(index + 2, runId);
    s.setLong(index + 3, seqNr - 1);
  }

  /** True when {@code seqNr} follows the last projected event; false when it was applied before. */
  private static boolean inOrder(String runId, long seqNr, long lastSeq) {
    if (seqNr <= lastSeq) {
      return false;
    }
    if (seqNr != lastSeq + 1) {
      throw outOfOrder(runId, seqNr, "the last projected event is " + lastSeq);
    }
    return true;
  }

  private static IllegalStateException outOfOrder(String runId, long seqNr, String why) {
    return new IllegalStateException(
        "event " + seqNr + " of run " + runId + " cannot be projected yet: " + why
            + " (retried from the stored offset)");
  }

  private static void insertMessage(
      Connection connection,
      String runId,
      String role,
      String content,
      String toolCalls,
      String toolCallId,
      String toolName,
      String thinking,
      String error,
      long createdAt)
      throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(INSERT_MESSAGE)) {
      s.setString(1, runId);
      s.setString(2, role);
      setText(s, 3, content);
      setText(s, 4, toolCalls);
      setText(s, 5, toolCallId);
      setText(s, 6, toolName);
      setText(s, 7, thinking);
      setText(s, 8, error);
      s.setLong(9, createdAt);
      s.setString(10, runId);
      s.executeUpdate();
    }
  }

  private static void setJson(PreparedStatement s, int index, JsonNode value) throws SQLException {
    setText(s, index, value == null ? null : Json.write(value));
  }

  private static void setText(PreparedStatement s, int index, String value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.VARCHAR);
    } else {
      s.setString(index, value);
    }
  }
}
