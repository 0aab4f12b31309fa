package io.helix.persistence.readmodel;

import com.typesafe.config.ConfigFactory;
import io.helix.persistence.DatabaseMigrations;
import io.helix.persistence.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Rebuilds the read model from the journal: empties {@code agent_state} and {@code messages} and
 * forgets the projections' offsets, in one transaction; the projections then replay every run
 * event when a node starts. Run it with every node stopped (a running node would go on from the
 * offsets it holds), on the node's configuration ({@code HELIX_DB_URL} or {@code HELIX_DATA_DIR}):
 *
 * <pre>
 * java -cp agents/target/helix-server.jar io.helix.persistence.readmodel.Rebuild
 * </pre>
 */
public final class Rebuild {

  private Rebuild() {}

  /** What a rebuild removed. */
  public record Result(long runs, long messages, long offsets) {}

  public static void main(String[] args) throws SQLException {
    DatabaseSettings database = DatabaseSettings.fromConfig(ConfigFactory.load());
    DatabaseMigrations.migrate(database);
    Result result = rebuild(database);
    System.out.printf(
        "Read model of %s emptied: %d run(s), %d message(s), %d projection offset(s) removed."
            + " The projections replay the journal when a node starts.%n",
        database.redactedUrl(), result.runs(), result.messages(), result.offsets());
  }

  /** Empties the read model's tables and offsets of a migrated database. */
  public static Result rebuild(DatabaseSettings database) throws SQLException {
    try (Connection connection =
        DriverManager.getConnection(database.url(), database.user(), database.password())) {
      connection.setAutoCommit(false);
      long runs = count(connection, "SELECT COUNT(*) FROM agent_state");
      long messages = count(connection, "SELECT COUNT(*) FROM messages");
      long offsets;
      try (Statement s = connection.createStatement();
          PreparedStatement forget =
              connection.prepareStatement(
                  "DELETE FROM \"pekko_projection_offset_store\" WHERE \"projection_name\" = ?")) {
        forget.setString(1, ReadModel.PROJECTION_NAME);
        offsets = forget.executeUpdate();
        if (database.dialect() == DatabaseSettings.Dialect.POSTGRESQL) {
          s.executeUpdate("TRUNCATE TABLE messages, agent_state RESTART IDENTITY");
        } else {
          // H2 truncates no table a foreign key points at, and its DDL would commit early
          s.executeUpdate("DELETE FROM messages");
          s.executeUpdate("DELETE FROM agent_state");
        }
        connection.commit();
        if (database.dialect() == DatabaseSettings.Dialect.H2) {
          s.executeUpdate("ALTER TABLE messages ALTER COLUMN id RESTART WITH 1");
        }
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
      return new Result(runs, messages, offsets);
    }
  }

  private static long count(Connection connection, String sql) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet row = s.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    }
  }
}
