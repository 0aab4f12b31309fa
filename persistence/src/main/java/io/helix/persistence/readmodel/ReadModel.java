package io.helix.persistence.readmodel;

import io.helix.history.*;
import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.helix.persistence.DatabaseSettings;
import io.helix.run.RunEvent;
import java.sql.Connection;
import io.helix.run.RunObserver;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * The read model: the reference runtime's tables {@code agent_state} and {@code messages}, kept
 * from the journal by one projection per run-event tag ({@code helix.run.event-tags}), exactly
 * once: each group of events is written in one transaction with the projection's offset. The
 * projections run as a sharded daemon process, spread over the cluster's nodes and moved when a
 * node leaves. The journal stays the source of truth: {@link Rebuild} empties the tables, and the
 * projections fill them again from the first event.
 *
 * <p>Every node calls {@link #start} once, after the runtime, on an actor system whose
 * configuration went through {@link DatabaseSettings#withJournal} (which sets the projections'
 * dialect), on a database migrated by {@code DatabaseMigrations}.
 */
public final class ReadModel {

  /** The projections' name in the offset store; each tag is a key. */
  public static final String PROJECTION_NAME = "helix-read-model";

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReadModel.class);

  private ReadModel() {}

  /**
   * Starts this node's share of the projections and answers queries over the tables. The read
   * model's connection pool closes when the actor system terminates.
   */
  public static StateStore start(ActorSystem<?> system) {
    return start(system, UnaryOperator.identity());
  }

  /**
   * What the read model is told of runs directly, not through the journal: a run given up because
   * its journal cannot be read is marked failed, with the reason. {@code stateStore} is the one
   * {@link #start} answered.
   */
  public static RunObserver givenUpRuns(StateStore stateStore) {
    JdbcStateStore store = (JdbcStateStore) stateStore;
    return new RunObserver() {
      @Override
      public void runGivenUp(String runId, String error) {
        store
            .markGivenUp(runId, error)
            .whenComplete(
                (rows, failure) -> {
                  if (failure != null) {
                    LOG.warn("the read model did not take given-up run {}", runId, failure);
                  }
                });
      }
    };
  }

  /** As {@link #start(ActorSystem)}, with each projection's handler wrapped (for tests). */
  static StateStore start(
      ActorSystem<?> system,
      UnaryOperator<JdbcHandler<List<EventEnvelope<RunEvent>>, ReadModelSession>> wrapHandler) {
    Config config = system.settings().config();
    if (config.getString("pekko.projection.jdbc.dialect").isBlank()) {
      throw new IllegalStateException(
          "the read model needs an actor system configured with DatabaseSettings.withJournal(config)");
    }
    DatabaseSettings database = DatabaseSettings.fromConfig(config);
    ReadModelSettings settings = ReadModelSettings.fromConfig(config);
    HikariDataSource pool = pool(database, settings);
    system.getWhenTerminated().thenRun(pool::close);

    Supplier<ReadModelSession> sessions = () -> new ReadModelSession(connection(pool));
    List<String> tags = settings.tags();
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            PROJECTION_NAME,
            tags.size(),
            i -> projection(system, tags.get(i), sessions, settings, wrapHandler),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));

    Executor jdbc =
        system.dispatchers().lookup(DispatcherSelector.fromConfig(ReadModelSettings.DISPATCHER));
    return new JdbcStateStore(pool, jdbc, settings);
  }

  /**
   * The {@link Erasure} of this node's sessions (pass it to {@code HelixRuntime.start}): deletes
   * from the journal and the read model, on a small pool of its own that closes with the actor
   * system. Needs the same configuration as {@link #start}.
   */
  public static Erasure erasure(ActorSystem<?> system) {
    Config config = system.settings().config();
    DatabaseSettings database = DatabaseSettings.fromConfig(config);
    ReadModelSettings settings = ReadModelSettings.fromConfig(config);
    HikariConfig pool = poolConfig(database, "helix-erasure", 2);
    HikariDataSource erasurePool = new HikariDataSource(pool);
    system.getWhenTerminated().thenRun(erasurePool::close);
    Executor jdbc =
        system.dispatchers().lookup(DispatcherSelector.fromConfig(ReadModelSettings.DISPATCHER));
    return new JdbcErasure(
        erasurePool, jdbc, settings.erasureProjectionWait(), java.util.Set.copyOf(settings.tags()));
  }

  private static Behavior<ProjectionBehavior.Command> projection(
      ActorSystem<?> system,
      String tag,
      Supplier<ReadModelSession> sessions,
      ReadModelSettings settings,
      UnaryOperator<JdbcHandler<List<EventEnvelope<RunEvent>>, ReadModelSession>> wrapHandler) {
    SourceProvider<Offset, EventEnvelope<RunEvent>> events =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
    return ProjectionBehavior.create(
        JdbcProjection.groupedWithin(
                ProjectionId.of(PROJECTION_NAME, tag),
                events,
                sessions,
                () -> wrapHandler.apply(new RunEventHandler()),
                system)
            .withGroup(settings.groupMaxEvents(), settings.groupMaxWait())
            .withRestartBackoff(
                settings.restartMinBackoff(),
                settings.restartMaxBackoff(),
                settings.restartRandomFactor()));
  }

  private static HikariDataSource pool(DatabaseSettings database, ReadModelSettings settings) {
    return new HikariDataSource(
        poolConfig(database, "helix-read-model", settings.maxConnections()));
  }

  private static HikariConfig poolConfig(DatabaseSettings database, String name, int size) {
    HikariConfig pool = new HikariConfig();
    pool.setPoolName(name);
    pool.setDriverClassName(database.dialect().driverClassName());
    pool.setJdbcUrl(database.url());
    pool.setUsername(database.user());
    pool.setPassword(database.password());
    pool.setMaximumPoolSize(size);
    pool.setMinimumIdle(1);
    pool.setAutoCommit(false);
    return pool;
  }

  private static Connection connection(HikariDataSource pool) {
    try {
      return pool.getConnection();
    } catch (SQLException e) {
      throw new IllegalStateException("no connection for the read model: " + e.getMessage(), e);
    }
  }
}
