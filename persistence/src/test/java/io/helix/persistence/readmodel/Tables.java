package io.helix.persistence.readmodel;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The read model's tables as plain rows, for comparing them whole. */
record Tables(List<List<Object>> runs, List<List<Object>> messages, List<List<Object>> offsets) {

  /**
   * Every column of both tables but {@code messages.id} (a surrogate key, numbered in the order the
   * projections of several tags happened to write), and the projections' offsets.
   */
  static Tables read(TestDatabase database) throws Exception {
    try (Connection connection = database.connect()) {
      return new Tables(
          rows(
              connection,
              "SELECT run_id, agent_type, stream_id, status, step_count, custom_state, output,"
                  + " error, parent_agent_id, aborted, abort_reason, created_at, updated_at,"
                  + " input_tokens, output_tokens, event_seq, pending FROM agent_state ORDER BY run_id"),
          rows(
              connection,
              "SELECT run_id, sequence, role, content, tool_calls, tool_call_id, tool_name,"
                  + " thinking, error, created_at FROM messages ORDER BY run_id, sequence"),
          rows(
              connection,
              "SELECT \"projection_key\", \"current_offset\" FROM \"pekko_projection_offset_store\""
                  + " WHERE \"projection_name\" = '" + ReadModel.PROJECTION_NAME + "'"
                  + " ORDER BY \"projection_key\""));
    }
  }

  private static List<List<Object>> rows(Connection connection, String sql) throws Exception {
    List<List<Object>> rows = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet row = s.executeQuery(sql)) {
      ResultSetMetaData meta = row.getMetaData();
      while (row.next()) {
        List<Object> values = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          Object value = row.getObject(i);
          values.add(value instanceof Number n ? (Object) n.longValue() : value);
        }
        rows.add(values);
      }
    }
    return rows;
  }
}
