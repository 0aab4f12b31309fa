package io.helix.persistence;

import static io.helix.testkit.TestRuntime.await;
import static io.helix.testkit.TestRuntime.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.agent.Tool;
import io.helix.history.AgentStateRow;
import io.helix.history.StateStore;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.model.ScriptedModel;
import io.helix.persistence.readmodel.ReadModel;
import io.helix.runtime.HelixRuntime;
import io.helix.testkit.TestRuntime;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A run in flight whose journal holds an event that no longer deserializes (its payload
 * overwritten in the H2 journal) is restarted by remember-entities after the node restarts; its
 * recovery fails helix.run.max-recovery-failures times in a row, then it answers as failed, the
 * read model says so, and it is not restarted again.
 */
class PoisonRunTest {

  record Nothing() {}

  private final CountDownLatch started = new CountDownLatch(1);

  private final Tool hang =
      Tool.blocking(
          "hang",
          "never ends",
          Nothing.class,
          (input, ctx) -> {
            started.countDown();
            try {
              Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return "interrupted";
          });

  private AgentRegistry agents() {
    return new AgentRegistry()
        .register(
            AgentDefinition.builder("hanger").systemPrompt("p").model("scripted:x").tools(hang).build());
  }

  private static ModelCatalog models() {
    return new ModelCatalog()
        .register(
            "scripted",
            new ScriptedModel(
                request ->
                    List.of(
                        ScriptedModel.toolCall("h1", "hang", Json.object()),
                        ScriptedModel.finish("tool_calls", 1, 1))));
  }

  private static Optional<AgentStateRow> row(StateStore store) {
    try {
      return await(store.load("poison-1"));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static long recoveryFailures(ListAppender<ILoggingEvent> log) {
    return log.list.stream()
        .filter(e -> e.getFormattedMessage().startsWith("run poison-1: recovery failed ("))
        .count();
  }

  @Test
  void aRunWhoseJournalCannotBeReadIsGivenUpAfterItsRecoveriesFail() throws Exception {
    Config config =
        TestJournals.h2(
            Files.createTempDirectory("helix-poison"),
            """
            helix.run.hand-off-wait = 200ms
            helix.run.max-recovery-failures = 3
            """);
    DatabaseSettings db = DatabaseSettings.fromConfig(config);

    try (TestRuntime node = TestRuntime.start(agents(), models(), config)) {
      StateStore store = ReadModel.start(node.testKit.system());
      await(node.executor.execute("hanger", "go", "poison-1"));
      assertTrue(started.await(30, TimeUnit.SECONDS), "the tool runs");
      awaitCondition(
          () -> row(store).map(r -> r.status() == RunStatus.running).orElse(false),
          Duration.ofSeconds(30));
    } // the run is in flight: remembered

    // its model response (event 2) no longer deserializes
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password())) {
      int updated =
          c.createStatement()
              .executeUpdate(
                  "UPDATE \"event_journal\" SET \"event_payload\" = X'FF00FF'"
                      + " WHERE \"persistence_id\" = 'Run|poison-1' AND \"sequence_number\" = 2");
      assertEquals(1, updated);
    }

    Logger logger = (Logger) LoggerFactory.getLogger("io.helix.run.RecoveryGuard");
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    logger.addAppender(log);
    ActorTestKit node = ActorTestKit.create("helix-test", config);
    try {
      TestRuntime.join(node.system(), node.system());
      StateStore store = ReadModel.start(node.system());
      AgentExecutor executor =
          HelixRuntime.start(node.system(), agents(), models(), ReadModel.givenUpRuns(store));
      // remember-entities restarts it by itself; each recovery fails, then it is given up
      awaitCondition(() -> recoveryFailures(log) >= 3, Duration.ofSeconds(60));
      // ... and forgotten: not restarted again, for longer than all its backoffs took
      Thread.sleep(Duration.ofSeconds(6).toMillis());
      assertEquals(3, recoveryFailures(log), "given up after 3 failed recoveries in a row");

      // a question wakes it: its recovery fails again, it answers as failed
      // the read model says so: no event of the run's journal will
      awaitCondition(
          () -> row(store).map(r -> r.status() == RunStatus.failed).orElse(false),
          Duration.ofSeconds(30));
      assertTrue(row(store).orElseThrow().error().contains("cannot be read"));

      RunResult status = await(await(executor.getHandle("poison-1")).orElseThrow().status());
      assertEquals(RunStatus.failed, status.status());
      assertTrue(status.error().contains("cannot be read"), status.error());
    } finally {
      logger.detachAppender(log);
      node.shutdownTestKit();
    }
  }
}
