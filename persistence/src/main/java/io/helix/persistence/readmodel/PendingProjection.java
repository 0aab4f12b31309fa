package io.helix.persistence.readmodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.agent.PendingRequest;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.run.RunEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * What a suspended run waits for, in {@code agent_state.pending} and its status: a request makes
 * the run suspended, its decision or result takes it away, and the run is running again once none
 * is left (the way {@code RunState} folds them).
 */
final class PendingProjection {

  private static final String SELECT =
      "SELECT status, pending, event_seq FROM agent_state WHERE run_id = ?";

  private static final String UPDATE_GUARDED =
      "UPDATE agent_state SET status = ?, pending = ?, updated_at = ?, event_seq = ?"
          + " WHERE run_id = ? AND event_seq = ?";

  private static final String UPDATE =
      "UPDATE agent_state SET status = ?, pending = ? WHERE run_id = ?";

  private PendingProjection() {}

  private record Row(String status, ArrayNode pending, long eventSeq) {}

  /** A request or a decision of the run: false when it was applied before. */
  static boolean apply(Connection connection, String runId, long seqNr, RunEvent event)
      throws SQLException {
    Row row = select(connection, runId);
    if (row == null) {
      throw new IllegalStateException(
          "event " + seqNr + " of run " + runId + " cannot be projected yet: its start is not"
              + " projected yet (retried from the stored offset)");
    }
    if (seqNr <= row.eventSeq()) {
      return false;
    }
    if (seqNr != row.eventSeq() + 1) {
      throw new IllegalStateException(
          "event " + seqNr + " of run " + runId + " cannot be projected yet: the last projected"
              + " event is " + row.eventSeq() + " (retried from the stored offset)");
    }
    ArrayNode pending = row.pending();
    if (event instanceof RunEvent.ApprovalRequested e) {
      pending.add(request(PendingRequest.APPROVAL, runId, e.toolCallId(), e.approvalId(), e.toolName(), e.input()));
    } else if (event instanceof RunEvent.ClientToolRequested e) {
      pending.add(request(PendingRequest.CLIENT_TOOL, runId, e.toolCallId(), null, e.toolName(), e.input()));
    } else if (event instanceof RunEvent.ApprovalDecided e) {
      remove(pending, e.toolCallId());
    }
    try (PreparedStatement s = connection.prepareStatement(UPDATE_GUARDED)) {
      s.setString(1, status(row.status(), pending));
      setPending(s, 2, pending);
      s.setLong(3, event.timestamp());
      s.setLong(4, seqNr);
      s.setString(5, runId);
      s.setLong(6, seqNr - 1);
      return s.executeUpdate() == 1;
    }
  }

  /** A tool call got its result (already projected): it no longer waits, if it did. */
  static void resolved(Connection connection, String runId, String toolCallId)
      throws SQLException {
    Row row = select(connection, runId);
    if (row == null || !remove(row.pending(), toolCallId)) {
      return;
    }
    try (PreparedStatement s = connection.prepareStatement(UPDATE)) {
      s.setString(1, status(row.status(), row.pending()));
      setPending(s, 2, row.pending());
      s.setString(3, runId);
      s.executeUpdate();
    }
  }

  private static Row select(Connection connection, String runId) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(SELECT)) {
      s.setString(1, runId);
      try (ResultSet row = s.executeQuery()) {
        if (!row.next()) {
          return null;
        }
        String json = row.getString(2);
        ArrayNode pending =
            json == null ? Json.mapper().createArrayNode() : (ArrayNode) Json.parse(json);
        return new Row(row.getString(1), pending, row.getLong(3));
      }
    }
  }

  /** Suspended while a request waits, running once none does; other statuses stay. */
  private static String status(String current, ArrayNode pending) {
    boolean active =
        RunStatus.running.name().equals(current) || RunStatus.suspended.name().equals(current);
    if (!active) {
      return current;
    }
    return (pending.isEmpty() ? RunStatus.running : RunStatus.suspended).name();
  }

  private static ObjectNode request(
      String kind, String runId, String toolCallId, String approvalId, String toolName, JsonNode input) {
    ObjectNode json = Json.object();
    json.put("kind", kind);
    json.put("runId", runId);
    json.put("toolCallId", toolCallId);
    json.put("approvalId", approvalId);
    json.put("toolName", toolName);
    json.set("input", input);
    return json;
  }

  private static boolean remove(ArrayNode pending, String toolCallId) {
    for (int i = 0; i < pending.size(); i++) {
      if (toolCallId.equals(pending.get(i).path("toolCallId").asText(null))) {
        pending.remove(i);
        return true;
      }
    }
    return false;
  }

  private static void setPending(PreparedStatement s, int index, ArrayNode pending)
      throws SQLException {
    if (pending.isEmpty()) {
      s.setNull(index, Types.VARCHAR);
    } else {
      s.setString(index, Json.write(pending));
    }
  }
}
