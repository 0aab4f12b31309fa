package io.helix.persistence.readmodel;

import java.sql.Connection;
import java.sql.SQLException;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.projection.jdbc.JdbcSession;

/**
 * One transaction of a projection on a pooled connection (auto-commit off): the handler's writes
 * and the projection's offset are committed together, or not at all.
 */
final class ReadModelSession implements JdbcSession {

  private final Connection connection;

  ReadModelSession(Connection connection) {
    this.connection = connection;
  }

  @Override
  public <R> R withConnection(Function<Connection, R> func) throws Exception {
    return func.apply(connection);
  }

  @Override
  public void commit() throws SQLException {
    connection.commit();
  }

  @Override
  public void rollback() throws SQLException {
    connection.rollback();
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
