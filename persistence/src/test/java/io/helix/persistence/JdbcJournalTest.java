package io.helix.persistence;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.model.ModelCatalog;
import io.helix.model.ScriptedModel;
import io.helix.stream.StreamChunk;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/** Runs on the embedded H2 file through the real JDBC journal, across a restart of the node. */
class JdbcJournalTest {


  private static Config journalConfig(Path dir) {
    return DatabaseSettings.withJournal(
        TestRuntime.config(
            """
            helix.data-dir = "%s"
            pekko.persistence.journal.plugin = "jdbc-journal"
            pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
            """
                .formatted(dir.toAbsolutePath())));
  }

  @Test
  void migrationsCreateTheSchemaOnce() throws Exception {
    Path dir = Files.createTempDirectory("helix-db");
    DatabaseSettings settings =
        DatabaseSettings.fromConfig(journalConfig(dir));
    assertEquals(DatabaseSettings.Dialect.H2, settings.dialect());
    assertTrue(DatabaseMigrations.migrate(settings) >= 3, "journal, read model, projection offsets");
    assertEquals(0, DatabaseMigrations.migrate(settings), "already migrated");
    try (Connection c = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
        ResultSet tables =
            c.createStatement()
                .executeQuery(
                    "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME IN"
                        + " ('event_journal','event_tag','snapshot','durable_state',"
                        + " 'AGENT_STATE','MESSAGES','pekko_projection_offset_store',"
                        + " 'pekko_projection_management')")) {
      tables.next();
      assertEquals(8, tables.getInt(1));
    }
  }

  @Test
  void aFinishedRunIsServedAfterTheNodeRestarts() throws Exception {
    Path dir = Files.createTempDirectory("helix-db");
    Config config = journalConfig(dir);
    DatabaseMigrations.migrate(DatabaseSettings.fromConfig(config));
    AgentRegistry agents = new AgentRegistry().register(TestAgents.adder("adder", 5));
    ScriptedModel model = new ScriptedModel(TestAgents::addThenAnswer);

    RunResult first;
    List<StreamChunk> firstChunks;
    try (TestRuntime node = TestRuntime.start(agents, new ModelCatalog().register("scripted", model), config)) {
      AgentHandle handle = await(node.executor.execute("adder", "add 2 and 3", "durable-1"));
      first = await(handle.result());
      firstChunks = await(handle.stream(0).runWith(Sink.seq(), node.testKit.system()));
    }
    assertEquals(RunStatus.completed, first.status());

    try (TestRuntime node = TestRuntime.start(agents, new ModelCatalog().register("scripted", model), config)) {
      AgentHandle handle = await(node.executor.getHandle("durable-1")).orElseThrow();
      assertEquals(first, await(handle.result()));
      assertEquals(firstChunks, await(handle.stream(0).runWith(Sink.seq(), node.testKit.system())));
      long rowsBefore = journalRows(config);
      for (int i = 0; i < 20; i++) {
        assertTrue(await(node.executor.getHandle("never-was-" + i)).isEmpty());
      }
      assertEquals(rowsBefore, journalRows(config), "looking up unknown runs writes nothing");
    }
    assertEquals(1, model.requests("durable-1", 1), "no model call after the restart");
    assertEquals(1, model.requests("durable-1", 2));
  }

  @Test
  void aThousandStepRunRecoversFromItsSnapshotOnANewNode() throws Exception {
    int steps = 1000;
    Path dir = Files.createTempDirectory("helix-db");
    Config config = journalConfig(dir);
    DatabaseMigrations.migrate(DatabaseSettings.fromConfig(config));
    AgentRegistry agents = new AgentRegistry().register(TestAgents.adder("marathon", steps + 1));
    ScriptedModel model =
        new ScriptedModel(
            request ->
                request.step() <= steps
                    ? TestAgents.alwaysCallTool(request)
                    : ScriptedModel.answer("done"));

    RunResult finished;
    try (TestRuntime node = TestRuntime.start(agents, new ModelCatalog().register("scripted", model), config)) {
      AgentHandle handle = await(node.executor.execute("marathon", "go", "marathon-1"));
      finished = handle.result().toCompletableFuture().get(5, TimeUnit.MINUTES);
    }
    assertEquals(RunStatus.completed, finished.status());
    assertEquals(steps + 1, finished.steps());

    try (TestRuntime node = TestRuntime.start(agents, new ModelCatalog().register("scripted", model), config)) {
      await(node.executor.getHandle("warm-up")); // sharding and the journal's pool are ready
      long start = System.nanoTime();
      AgentHandle handle = await(node.executor.getHandle("marathon-1")).orElseThrow();
      RunResult recovered = await(handle.status());
      System.out.printf(
          "first answer of a passivated %d-step run (%d events, snapshot every %d) on H2: %.1f ms%n",
          steps + 1,
          2 * steps + 3,
          node.testKit.system().settings().config().getInt("helix.run.snapshot-every"),
          (System.nanoTime() - start) / 1e6);
      assertEquals(finished, recovered);
    }
  }

  private static long journalRows(Config config) throws Exception {
    DatabaseSettings db = DatabaseSettings.fromConfig(config);
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        ResultSet rows = c.createStatement().executeQuery("SELECT COUNT(*) FROM \"event_journal\"")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Test
  void rejectsAnUnsupportedDatabase() {
    DatabaseSettings mysql =
        DatabaseSettings.fromConfig(
            ConfigFactory.parseString(
                "helix { data-dir = x, db { url = \"jdbc:mysql://x?password=secret\", user = u,"
                    + " password = p, max-connections = 1 } }"));
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, mysql::dialect);
    assertTrue(e.getMessage().contains("jdbc:mysql://x?..."), e.getMessage());
    assertTrue(!e.getMessage().contains("secret"), "no secret in the message");
  }
}
