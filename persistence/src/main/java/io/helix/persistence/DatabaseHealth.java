package io.helix.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Whether the node's database answers, for the readiness probe: through a connection of its own,
 * never one of the journal's or the read model's pools, which load can exhaust (a busy pool must not
 * make Kubernetes take a working node out of service and move its load to the others).
 */
public final class DatabaseHealth implements Extension {

  private static final Id ID = new Id();

  private final ActorSystem<?> system;
  private final HikariDataSource connection;
  private final Duration timeout;

  private DatabaseHealth(ActorSystem<?> system) {
    this.system = system;
    this.timeout = system.settings().config().getDuration("helix.health.database-timeout");
    DatabaseSettings database = DatabaseSettings.fromConfig(system.settings().config());
    HikariConfig pool = new HikariConfig();
    pool.setPoolName("helix-health");
    pool.setDriverClassName(database.dialect().driverClassName());
    pool.setJdbcUrl(database.url());
    pool.setUsername(database.user());
    pool.setPassword(database.password());
    pool.setMaximumPoolSize(1);
    pool.setMinimumIdle(0);
    pool.setConnectionTimeout(Math.max(250, timeout.toMillis()));
    // a database that is down at start makes the probe fail, not the node
    pool.setInitializationFailTimeout(-1);
    this.connection = new HikariDataSource(pool);
    system.getWhenTerminated().thenRun(connection::close);
  }

  public static DatabaseHealth get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Completes with true when the database answers within {@code helix.health.database-timeout}. */
  public CompletionStage<Boolean> check() {
    int seconds = (int) Math.max(1, timeout.toSeconds());
    return CompletableFuture.supplyAsync(
            () -> {
              try (Connection c = connection.getConnection()) {
                return c.isValid(seconds);
              } catch (SQLException e) {
                return false;
              }
            },
            system.dispatchers().lookup(DispatcherSelector.blocking()))
        .completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static final class Id extends ExtensionId<DatabaseHealth> {
    @Override
    public DatabaseHealth createExtension(ActorSystem<?> system) {
      return new DatabaseHealth(system);
    }
  }
}
