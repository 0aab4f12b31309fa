package io.helix.persistence.readmodel;

import io.helix.history.*;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.model.TokenUsage;
import io.helix.model.ToolCall;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/** The {@link StateStore} over the read model's tables, on its own pool and dispatcher. */
final class JdbcStateStore implements StateStore {

  private static final String RUN_COLUMNS =
      "run_id, agent_type, stream_id, status, step_count, custom_state, output, error,"
          + " parent_agent_id, aborted, abort_reason, input_tokens, output_tokens, created_at,"
          + " updated_at, pending, owner, session_id";

  private static final String LOAD = "SELECT " + RUN_COLUMNS + " FROM agent_state WHERE run_id = ?";

  /** A run given up: no event will say so (its journal cannot be read), so it is set here. */
  private static final String GIVEN_UP =
      "UPDATE agent_state SET status = 'failed', error = ?, pending = NULL, updated_at = ?"
          + " WHERE run_id = ?";

  private static final String COUNT_MESSAGES = "SELECT COUNT(*) FROM messages WHERE run_id = ?";

  private static final String MESSAGES =
      "SELECT sequence, role, content, tool_calls, tool_call_id, tool_name, thinking, error,"
          + " created_at FROM messages WHERE run_id = ? ORDER BY sequence LIMIT ? OFFSET ?";

  // the projection offset store and the journal's tag table are quoted lower case on H2 (see the
  // migrations) and plain lower case on PostgreSQL, which the quoted names match
  private static final String OFFSETS =
      "SELECT \"projection_key\", \"current_offset\" FROM \"pekko_projection_offset_store\""
          + " WHERE \"projection_name\" = ?";

  private static final String BEHIND =
      "SELECT COUNT(*), MAX(\"event_id\") FROM \"event_tag\" WHERE \"tag\" = ? AND \"event_id\" > ?";

  private static final TypeReference<List<ToolCall>> TOOL_CALLS = new TypeReference<>() {};

  private final DataSource pool;
  private final Executor executor;
  private final ReadModelSettings settings;

  JdbcStateStore(DataSource pool, Executor executor, ReadModelSettings settings) {
    this.pool = pool;
    this.executor = executor;
    this.settings = settings;
  }

  @FunctionalInterface
  private interface Query<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Runs a read-only query on a pooled connection, on the dispatcher. */
  private <T> CompletionStage<T> query(Query<T> query) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection connection = pool.getConnection()) {
            try {
              return query.run(connection);
            } finally {
              connection.rollback(); // read only: ends the transaction, keeps nothing
            }
          } catch (SQLException e) {
            throw new CompletionException(e);
          }
        },
        executor);
  }

  /** Marks a run that was given up as failed, with the reason; answers the rows changed. */
  CompletionStage<Integer> markGivenUp(String runId, String error) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection connection = pool.getConnection();
              PreparedStatement s = connection.prepareStatement(GIVEN_UP)) {
            s.setString(1, error);
            s.setLong(2, System.currentTimeMillis());
            s.setString(3, runId);
            int rows = s.executeUpdate();
            connection.commit();
            return rows;
          } catch (SQLException e) {
            throw new CompletionException(e);
          }
        },
        executor);
  }

  @Override
  public CompletionStage<Optional<AgentStateRow>> load(String runId) {
    return query(
        connection -> {
          try (PreparedStatement s = connection.prepareStatement(LOAD)) {
            s.setString(1, runId);
            try (ResultSet row = s.executeQuery()) {
              return row.next() ? Optional.of(run(row)) : Optional.empty();
            }
          }
        });
  }

  @Override
  public CompletionStage<MessagePage> getMessages(
      String runId, int offset, int limit, boolean includeThinking) {
    if (offset < 0) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("offset must not be negative, was " + offset));
    }
    if (limit < 0 || limit > settings.maxPageSize()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "limit must be in 0.." + settings.maxPageSize() + ", was " + limit));
    }
    return query(
        connection -> {
          int total;
          try (PreparedStatement s = connection.prepareStatement(COUNT_MESSAGES)) {
            s.setString(1, runId);
            try (ResultSet row = s.executeQuery()) {
              row.next();
              total = row.getInt(1);
            }
          }
          List<StoredMessage> messages = new ArrayList<>();
          if (limit > 0 && offset < total) {
            try (PreparedStatement s = connection.prepareStatement(MESSAGES)) {
              s.setString(1, runId);
              s.setInt(2, limit);
              s.setInt(3, offset);
              try (ResultSet row = s.executeQuery()) {
                while (row.next()) {
                  messages.add(message(row, includeThinking));
                }
              }
            }
          }
          return new MessagePage(messages, total, offset + messages.size() < total);
        });
  }

  @Override
  public CompletionStage<RunPage> list(RunFilter filter, String cursor, int limit) {
    if (limit < 1 || limit > settings.maxPageSize()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "limit must be in 1.." + settings.maxPageSize() + ", was " + limit));
    }
    Cursor after;
    try {
      after = cursor == null || cursor.isEmpty() ? null : Cursor.decode(cursor);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    StringBuilder sql = new StringBuilder("SELECT " + RUN_COLUMNS + " FROM agent_state WHERE 1 = 1");
    List<Object> parameters = new ArrayList<>();
    if (filter.status() != null) {
      sql.append(" AND status = ?");
      parameters.add(filter.status().name());
    }
    if (filter.agentType() != null) {
      sql.append(" AND agent_type = ?");
      parameters.add(filter.agentType());
    }
    if (filter.createdFrom() != null) {
      sql.append(" AND created_at >= ?");
      parameters.add(filter.createdFrom().toEpochMilli());
    }
    if (filter.createdBefore() != null) {
      sql.append(" AND created_at < ?");
      parameters.add(filter.createdBefore().toEpochMilli());
    }
    if (filter.rootsOnly()) {
      sql.append(" AND parent_agent_id IS NULL");
    }
    if (filter.byOwner()) {
      if (filter.owner() == null) {
        sql.append(" AND owner IS NULL");
      } else {
        sql.append(" AND owner = ?");
        parameters.add(filter.owner());
      }
    }
    if (after != null) {
      sql.append(" AND (created_at < ? OR (created_at = ? AND run_id < ?))");
      parameters.add(after.createdAt());
      parameters.add(after.createdAt());
      parameters.add(after.runId());
    }
    sql.append(" ORDER BY created_at DESC, run_id DESC LIMIT ?");
    parameters.add(limit + 1);
    return query(
        connection -> {
          List<AgentStateRow> runs = new ArrayList<>();
          try (PreparedStatement s = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
              s.setObject(i + 1, parameters.get(i));
            }
            try (ResultSet row = s.executeQuery()) {
              while (row.next()) {
                runs.add(run(row));
              }
            }
          }
          if (runs.size() <= limit) {
            return new RunPage(runs, null);
          }
          List<AgentStateRow> page = runs.subList(0, limit);
          AgentStateRow last = page.get(limit - 1);
          return new RunPage(page, new Cursor(last.createdAt(), last.runId()).encode());
        });
  }

  @Override
  public CompletionStage<List<ProjectionLag>> lag() {
    return query(
        connection -> {
          Map<String, Long> offsets = new HashMap<>();
          try (PreparedStatement s = connection.prepareStatement(OFFSETS)) {
            s.setString(1, ReadModel.PROJECTION_NAME);
            try (ResultSet row = s.executeQuery()) {
              while (row.next()) {
                offsets.put(row.getString(1), Long.parseLong(row.getString(2)));
              }
            }
          }
          List<ProjectionLag> lags = new ArrayList<>();
          for (String tag : settings.tags()) {
            long projected = offsets.getOrDefault(tag, 0L);
            try (PreparedStatement s = connection.prepareStatement(BEHIND)) {
              s.setString(1, tag);
              s.setLong(2, projected);
              try (ResultSet row = s.executeQuery()) {
                row.next();
                long behind = row.getLong(1);
                long latest = behind == 0 ? projected : row.getLong(2);
                lags.add(new ProjectionLag(tag, projected, latest, behind));
              }
            }
          }
          return lags;
        });
  }

  private static AgentStateRow run(ResultSet row) throws SQLException {
    return new AgentStateRow(
        row.getString("run_id"),
        row.getString("agent_type"),
        row.getString("stream_id"),
        RunStatus.valueOf(row.getString("status")),
        row.getInt("step_count"),
        json(row.getString("custom_state")),
        json(row.getString("output")),
        row.getString("error"),
        row.getString("parent_agent_id"),
        row.getInt("aborted") != 0,
        row.getString("abort_reason"),
        new TokenUsage(row.getLong("input_tokens"), row.getLong("output_tokens")),
        row.getLong("created_at"),
        row.getLong("updated_at"),
        pending(row.getString("pending")),
        row.getString("owner"),
        row.getString("session_id"));
  }

  private static final TypeReference<List<io.helix.agent.PendingRequest>> PENDING =
      new TypeReference<>() {};

  private static List<io.helix.agent.PendingRequest> pending(String json) {
    return json == null ? List.of() : Json.mapper().convertValue(Json.parse(json), PENDING);
  }

  private static StoredMessage message(ResultSet row, boolean includeThinking)
      throws SQLException {
    String toolCalls = row.getString("tool_calls");
    return new StoredMessage(
        row.getInt("sequence"),
        row.getString("role"),
        row.getString("content"),
        toolCalls == null ? List.of() : Json.mapper().convertValue(Json.parse(toolCalls), TOOL_CALLS),
        row.getString("tool_call_id"),
        row.getString("tool_name"),
        includeThinking ? row.getString("thinking") : null,
        row.getString("error"),
        row.getLong("created_at"));
  }

  private static JsonNode json(String text) {
    return text == null ? null : Json.parse(text);
  }

  /** Where a page of runs ended: opaque to callers (URL-safe Base64 of time and run id). */
  record Cursor(long createdAt, String runId) {

    String encode() {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString((createdAt + ":" + runId).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String cursor) {
      try {
        String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        return new Cursor(Long.parseLong(text.substring(0, colon)), text.substring(colon + 1));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("invalid cursor '" + cursor + "'");
      }
    }
  }
}
