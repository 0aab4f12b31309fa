package io.helix.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentRegistry;
import io.helix.http.HttpApi;
import io.helix.http.HttpSettings;
import io.helix.model.ModelCatalog;
import io.helix.persistence.DatabaseMigrations;
import io.helix.persistence.DatabaseSettings;
import io.helix.runtime.HelixRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.ServerBinding;

/** One node in this JVM, on a given database, running agent-10, with its HTTP API on loopback. */
final class BenchNode implements AutoCloseable {

  final ActorSystem<Void> system;
  final AgentExecutor executor;
  final int httpPort;
  final DatabaseSettings database;
  final long startToReadyMillis;
  final GatedModel gated = new GatedModel();

  /**
   * The "journal" that keeps every event in memory (Pekko's inmem journal: runs, streams, the
   * shards' remembered entities; snapshots stay on the database, where the read journal finds
   * nothing): what the runtime does without the database's round trips. For the benchmark's Java
   * API rows only, never a node's.
   */
  static final String IN_MEMORY = "in-memory";

  BenchNode(Path dataDir, String dbUrl, String dbUser, String dbPassword, String journal)
      throws Exception {
    this(dataDir, dbUrl, dbUser, dbPassword, journal, Agent10.registry(), null);
  }

  /** A node running {@code agents}, on {@code models} (null: agent-10's), with a journal. */
  BenchNode(
      Path dataDir,
      String dbUrl,
      String dbUser,
      String dbPassword,
      String journal,
      AgentRegistry agents,
      ModelCatalog models)
      throws Exception {
    long start = System.nanoTime();
    boolean inMemory = journal.equals(IN_MEMORY);
    Config journaled =
        DatabaseSettings.withJournal(
            ConfigFactory.parseString(
                    """
                    pekko.remote.artery.canonical.port = 0
                    pekko.loglevel = WARNING
                    pekko.coordinated-shutdown.exit-jvm = off
                    pekko.management.http.port = 0
                    helix.http.host = "127.0.0.1"
                    helix.http.port = 0
                    helix.run.passivate-finished-after = 1s
                    """)
                .withFallback(
                    ConfigFactory.parseMap(
                        java.util.Map.of(
                            "helix.data-dir", dataDir.toString(),
                            "helix.db.url", dbUrl,
                            "helix.db.user", dbUser,
                            "helix.db.password", dbPassword,
                            "helix.db.journal", inMemory ? "group-commit" : journal)))
                .withFallback(ConfigFactory.load()));
    // the runtime's own ceiling: Pekko's in-memory journal for the events, nothing else changed
    Config config =
        inMemory
            ? ConfigFactory.parseString(
                    "pekko.persistence.journal.plugin = \"pekko.persistence.journal.inmem\"")
                .withFallback(journaled)
            : journaled;
    database = DatabaseSettings.fromConfig(config);
    DatabaseMigrations.migrate(database);
    system = ActorSystem.create(Behaviors.empty(), "helix", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(new Join(cluster.selfMember().address()));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the node did not come up");
      }
      Thread.sleep(5);
    }
    executor =
        HelixRuntime.start(system, agents, models == null ? Agent10.models(gated) : models);
    ServerBinding binding =
        new HttpApi(executor, agents, HttpSettings.fromConfig(config))
            .bind(system)
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    httpPort = binding.localAddress().getPort();
    startToReadyMillis = (System.nanoTime() - start) / 1_000_000;
  }

  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
