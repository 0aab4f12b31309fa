package io.helix.persistence;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.model.ModelCatalog;
import io.helix.model.ScriptedModel;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import org.junit.jupiter.api.Test;
import slick.jdbc.JdbcDataSource;

/**
 * The journal's writes, its queries and the readiness check each have their own connections: with
 * every connection of the query pool held (readers catching up), runs still persist; with every
 * connection of both pools held, the database still reads as healthy.
 */
class DatabasePoolsTest {

  private static final int POOL = 2;

  @Test
  void writesAndHealthDoNotWaitForBusyPools() throws Exception {
    Path dir = Files.createTempDirectory("helix-pools");
    Config config =
        DatabaseSettings.withJournal(
            TestRuntime.config(
                """
                helix.data-dir = "%s"
                helix.db.max-connections = %d
                helix.db.query-max-connections = %d
                pekko.persistence.journal.plugin = "jdbc-journal"
                pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
                """
                    .formatted(dir.toAbsolutePath(), POOL, POOL)));
    DatabaseMigrations.migrate(DatabaseSettings.fromConfig(config));
    AgentRegistry agents = new AgentRegistry().register(TestAgents.adder("adder", 5));
    ModelCatalog models =
        new ModelCatalog().register("scripted", new ScriptedModel(TestAgents::addThenAnswer));
    List<Connection> held = new ArrayList<>();
    try (TestRuntime node = TestRuntime.start(agents, models, config)) {
      JdbcDataSource queries = pool(node, "jdbc-read-journal");
      JdbcDataSource writes = pool(node, "jdbc-journal");
      for (int i = 0; i < POOL; i++) {
        held.add(queries.createConnection());
      }
      AgentHandle handle = await(node.executor.execute("adder", "add 2 and 3", "pools-1"));
      RunResult result = await(handle.result());
      assertEquals(RunStatus.completed, result.status(), "runs persist while queries wait");

      for (int i = 0; i < POOL; i++) {
        held.add(writes.createConnection());
      }
      assertTrue(
          await(DatabaseHealth.get(node.testKit.system()).check()),
          "healthy while both pools are exhausted");
    } finally {
      for (Connection connection : held) {
        connection.close();
      }
    }
  }

  /** The pool of a plugin's Slick database; its connections are the pool's. */
  private static JdbcDataSource pool(TestRuntime node, String plugin) {
    SlickExtensionImpl slick =
        (SlickExtensionImpl) SlickExtension.get(Adapter.toClassic(node.testKit.system()));
    return slick
        .database(node.testKit.system().settings().config().getConfig(plugin))
        .database()
        .source();
  }
}
