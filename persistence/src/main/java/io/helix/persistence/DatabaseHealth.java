package io.helix.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import slick.jdbc.JdbcBackend;

/** Whether the journal's database answers, through the journal's own pool. */
public final class DatabaseHealth {

  private DatabaseHealth() {}

  /** Completes with true when a pooled connection is valid within {@code timeout}. */
  public static CompletionStage<Boolean> check(ActorSystem<?> system, Duration timeout) {
    SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(Adapter.toClassic(system));
    JdbcBackend.JdbcDatabaseDef database =
        slick.database(system.settings().config().getConfig("jdbc-journal")).database();
    int seconds = (int) Math.max(1, timeout.toSeconds());
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection connection = database.source().createConnection()) {
            return connection.isValid(seconds);
          } catch (SQLException e) {
            return false;
          }
        },
        system.dispatchers().lookup(DispatcherSelector.blocking()));
  }
}
