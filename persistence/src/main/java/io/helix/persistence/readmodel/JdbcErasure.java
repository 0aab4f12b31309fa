package io.helix.persistence.readmodel;

import io.helix.history.Erasure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.apache.pekko.Done;

/**
 * {@link Erasure} over JDBC: waits until the read model has projected every event it is to delete
 * (else a projection that trails could write a deleted run's row again), then deletes the events
 * (their tags go with them), the snapshots and the read-model rows in one transaction. Runs on the
 * read model's JDBC dispatcher.
 */
final class JdbcErasure implements Erasure {

  // journal, tag and offset tables are quoted lower case on H2 and plain lower case on PostgreSQL
  private static final String LAST_TAGGED =
      "SELECT t.\"tag\", MAX(j.\"ordering\") FROM \"event_journal\" j JOIN \"event_tag\" t"
          + " ON t.\"event_id\" = j.\"ordering\" WHERE j.\"persistence_id\" IN (%s) GROUP BY t.\"tag\"";

  private static final String OFFSET =
      "SELECT \"current_offset\" FROM \"pekko_projection_offset_store\""
          + " WHERE \"projection_name\" = ? AND \"projection_key\" = ?";

  private static final String DELETE_EVENTS =
      "DELETE FROM \"event_journal\" WHERE \"persistence_id\" IN (%s)";
  private static final String DELETE_SNAPSHOTS =
      "DELETE FROM \"snapshot\" WHERE \"persistence_id\" IN (%s)";
  private static final String DELETE_MESSAGES = "DELETE FROM messages WHERE run_id IN (%s)";
  private static final String DELETE_RUNS = "DELETE FROM agent_state WHERE run_id IN (%s)";

  private static final Duration POLL = Duration.ofMillis(100);

  private final DataSource pool;
  private final Executor executor;
  private final Duration projectionWait;
  private final Set<String> projectedTags;

  /** @param projectedTags the tags the read model's projections consume (others are not waited for) */
  JdbcErasure(
      DataSource pool, Executor executor, Duration projectionWait, Set<String> projectedTags) {
    this.pool = pool;
    this.executor = executor;
    this.projectionWait = projectionWait;
    this.projectedTags = Set.copyOf(projectedTags);
  }

  @Override
  public CompletionStage<Done> erase(Set<String> persistenceIds, Set<String> runIds) {
    List<String> ids = List.copyOf(persistenceIds);
    List<String> runs = List.copyOf(runIds);
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection connection = pool.getConnection()) {
            awaitProjected(connection, ids);
            try {
              update(connection, DELETE_EVENTS, ids);
              update(connection, DELETE_SNAPSHOTS, ids);
              update(connection, DELETE_MESSAGES, runs);
              update(connection, DELETE_RUNS, runs);
              connection.commit();
            } catch (SQLException e) {
              connection.rollback();
              throw e;
            }
            return Done.getInstance();
          } catch (SQLException | TimeoutException e) {
            throw new CompletionException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
          }
        },
        executor);
  }

  /** Waits, at most {@code projectionWait}, until each tag's projection has passed the events. */
  private void awaitProjected(Connection connection, List<String> ids)
      throws SQLException, TimeoutException, InterruptedException {
    Map<String, Long> last = new HashMap<>();
    query(connection, LAST_TAGGED, ids, row -> last.put(row.getString(1), row.getLong(2)));
    connection.commit();
    long deadline = System.nanoTime() + projectionWait.toNanos();
    for (Map.Entry<String, Long> tag : last.entrySet()) {
      if (!projectedTags.contains(tag.getKey())) {
        continue;
      }
      while (projected(connection, tag.getKey()) < tag.getValue()) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException(
              "the read model has not yet projected the events to erase (tag "
                  + tag.getKey()
                  + "); try again");
        }
        Thread.sleep(POLL.toMillis()); // a blocking dispatcher's thread, polling a condition
      }
    }
  }

  private long projected(Connection connection, String tag) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(OFFSET)) {
      s.setString(1, ReadModel.PROJECTION_NAME);
      s.setString(2, tag);
      try (ResultSet row = s.executeQuery()) {
        long offset = row.next() ? Long.parseLong(row.getString(1)) : 0L;
        connection.commit();
        return offset;
      }
    }
  }

  @FunctionalInterface
  private interface RowReader {
    Object read(ResultSet row) throws SQLException;
  }

  private static void query(Connection connection, String sql, List<String> ids, RowReader reader)
      throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement s = connection.prepareStatement(in(sql, ids.size()))) {
      bind(s, ids);
      try (ResultSet row = s.executeQuery()) {
        while (row.next()) {
          reader.read(row);
        }
      }
    }
  }

  private static void update(Connection connection, String sql, List<String> ids)
      throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement s = connection.prepareStatement(in(sql, ids.size()))) {
      bind(s, ids);
      s.executeUpdate();
    }
  }

  private static String in(String sql, int count) {
    return String.format(sql, String.join(",", java.util.Collections.nCopies(count, "?")));
  }

  private static void bind(PreparedStatement s, List<String> ids) throws SQLException {
    for (int i = 0; i < ids.size(); i++) {
      s.setString(i + 1, ids.get(i));
    }
  }
}
