package io.helix.upgrade;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.helix.agent.AgentExecutor;
import io.helix.history.StateStore;
import io.helix.model.ModelCatalog;
import io.helix.persistence.DatabaseMigrations;
import io.helix.persistence.DatabaseSettings;
import io.helix.persistence.readmodel.ReadModel;
import io.helix.runtime.HelixRuntime;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * A one-node Helix on a database of the fixtures: migrations, the runtime with the fixture agents
 * and model, and the read model, as the server wires them.
 */
final class FixtureNode implements AutoCloseable {

  final ActorSystem<Void> system;
  final AgentExecutor executor;
  final StateStore stateStore;
  final FixtureAgents.Model model;

  private FixtureNode(
      ActorSystem<Void> system,
      AgentExecutor executor,
      StateStore stateStore,
      FixtureAgents.Model model) {
    this.system = system;
    this.executor = executor;
    this.stateStore = stateStore;
    this.model = model;
  }

  /** {@code database}: helix.data-dir, or helix.db.url/user/password. */
  static FixtureNode start(Map<String, String> database, boolean hang, String extraConfig) {
    Config config =
        DatabaseSettings.withJournal(
            TestRuntime.config(
                ConfigFactory.parseString(extraConfig)
                    .withFallback(ConfigFactory.parseMap(database))
                    .withFallback(
                        ConfigFactory.parseString(
                            """
                            pekko.persistence.journal.plugin = "jdbc-journal"
                            pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
                            jdbc-read-journal.refresh-interval = 100ms
                            jdbc-read-journal.journal-sequence-retrieval.query-delay = 100ms
                            helix.read-model.group-max-events = 10
                            helix.run.passivate-finished-after = 10s
                            """))));
    DatabaseMigrations.migrate(DatabaseSettings.fromConfig(config));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "helix-fixtures", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(new Join(cluster.selfMember().address()));
    TestRuntime.awaitCondition(
        () -> cluster.selfMember().status() == MemberStatus.up(), Duration.ofSeconds(30));
    FixtureAgents.Model model = new FixtureAgents.Model(hang);
    ModelCatalog models = new ModelCatalog().register("fixture", model);
    AgentExecutor executor = HelixRuntime.start(system, FixtureAgents.registry(hang), models);
    return new FixtureNode(system, executor, ReadModel.start(system), model);
  }

  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
  }
}
