package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.helix.agent.AgentHandle;
import io.helix.model.ModelEvent;
import io.helix.model.ScriptedModel;
import io.helix.persistence.DatabaseMigrations;
import io.helix.persistence.DatabaseSettings;
import io.helix.stream.StreamChunk;
import io.helix.stream.StreamEntity;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/**
 * On the embedded H2 journal, as the server runs: a client following a run over SSE loses its
 * connection when the node stops mid-run; after the node restarts (the run resumes by itself), the
 * client reconnects with its {@code Last-Event-ID} and gets exactly the rest of the stream. And the
 * retention sweep finds ended streams through the JDBC read journal and deletes their rows.
 */
class StreamRestartTest {

  static final int DELTAS = 600;

  private static final ScriptedModel PACED =
      new ScriptedModel(
          request -> {
            List<ModelEvent> events = new ArrayList<>();
            for (int i = 0; i < DELTAS; i++) {
              events.add(ScriptedModel.text("w" + i + " "));
            }
            events.add(ScriptedModel.finish("stop", 1, DELTAS));
            return events;
          },
          Duration.ofMillis(3));

  private static TestServer node(Config config) {
    return new TestServer(
        config,
        agents -> agents.register(TestAgents.adder("paced", 2).withModel("paced:test")),
        models -> models.register("paced", PACED),
        Duration.ofSeconds(15));
  }

  record Event(String id, String data) {}

  /** Reads SSE events until {@code max} were read (then hangs up) or the response ends. */
  private static boolean read(TestServer server, HttpRequest request, List<Event> into, int max)
      throws Exception {
    HttpResponse<Stream<String>> response =
        server.client.send(request, HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, response.statusCode());
    int read = 0;
    try (Stream<String> lines = response.body()) {
      Iterator<String> it = lines.iterator();
      String id = null;
      String data = null;
      while (it.hasNext()) {
        String line;
        try {
          line = it.next();
        } catch (RuntimeException e) {
          return false; // the node went away under the connection
        }
        if (line.isEmpty() && data != null) {
          into.add(new Event(id, data));
          id = null;
          data = null;
          if (++read == max) {
            return false;
          }
        } else if (line.startsWith("id:")) {
          id = line.substring(3).trim();
        } else if (line.startsWith("data:")) {
          data = line.substring(5).trim();
        }
      }
    }
    return true;
  }

  /** A node's configuration on a fresh H2 file, migrated. */
  private static Config h2(String extra) throws Exception {
    Path dir = Files.createTempDirectory("helix-db");
    Config config =
        DatabaseSettings.withJournal(
            TestRuntime.config(
                """
                helix.data-dir = "%s"
                pekko.persistence.journal.plugin = "jdbc-journal"
                pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
                # a region holding a message it cannot deliver any more (the run's last appends,
                # sent while the node stops) waits for this phase's timeout less a second before it
                # stops: 2 s here instead of 9
                pekko.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 3s
                """
                        .formatted(dir.toAbsolutePath())
                    + extra));
    DatabaseMigrations.migrate(DatabaseSettings.fromConfig(config));
    return config;
  }

  @Test
  void anEndedStreamIsDeletedFromTheJdbcJournalAfterItsRetention() throws Exception {
    Config config =
        h2(
            """
            helix.stream.retention = 1s
            helix.stream.retention-sweep-interval = 200ms
            """);
    try (TestServer node = node(config)) {
      String runId = node.execute("adder", "add 2 and 3");
      AgentHandle handle =
          node.runtime.executor.getHandle(runId).toCompletableFuture().get().orElseThrow();
      handle.result().toCompletableFuture().get(30, TimeUnit.SECONDS);
      TestRuntime.awaitCondition(
          () -> handle.streamStatus().toCompletableFuture().join().deleted(),
          Duration.ofSeconds(20));
      DatabaseSettings db = DatabaseSettings.fromConfig(config);
      try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
          PreparedStatement rows =
              c.prepareStatement(
                  "SELECT COUNT(*) FROM \"event_journal\" WHERE \"persistence_id\" = ?"
                      + " AND NOT \"deleted\"")) {
        rows.setString(1, StreamEntity.persistenceId(runId));
        TestRuntime.awaitCondition(
            () -> {
              try (ResultSet count = rows.executeQuery()) {
                count.next();
                return count.getInt(1) <= 1; // at most the tombstone is left
              } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
              }
            },
            Duration.ofSeconds(20));
      }
      assertEquals(410, node.get("/agent/stream/" + runId).statusCode());
    }
  }

  @Test
  void aClientReconnectingAfterARestartGetsExactlyTheRest() throws Exception {
    Config config = h2("helix.stream.tail-size = 64");

    String runId;
    List<Event> got = new ArrayList<>();
    try (TestServer first = node(config)) {
      runId = first.execute("paced", "go");
      // a while into the run, the node stops under the client's connection
      boolean ended =
          read(first, first.request("/agent/stream/" + runId).GET().build(), got, 150);
      assertTrue(!ended && got.size() == 150, "read 150 events of a live run");
    }

    try (TestServer second = node(config)) {
      String lastId = got.get(got.size() - 1).id();
      boolean ended =
          read(
              second,
              second
                  .request("/agent/stream/" + runId)
                  .header("Last-Event-ID", lastId)
                  .GET()
                  .timeout(Duration.ofSeconds(60))
                  .build(),
              got,
              Integer.MAX_VALUE);
      assertTrue(ended, "the resumed run's stream ended");

      AgentHandle handle =
          second.runtime.executor.getHandle(runId).toCompletableFuture().get().orElseThrow();
      List<StreamChunk> all =
          handle.stream(0)
              .runWith(Sink.seq(), second.runtime.testKit.system())
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      assertEquals(
          all.stream().map(c -> Long.toString(c.seq())).toList(),
          got.stream().map(Event::id).toList(),
          "ids: the first node's, then exactly the rest");
      assertEquals(
          all.stream().map(StreamChunk::toJsonString).toList(),
          got.stream().map(Event::data).toList());
      assertEquals("run_end", all.get(all.size() - 1).type());
      System.out.printf(
          "restart after %s of %d chunks; the client resumed and got exactly the rest%n",
          lastId, all.size());
    }
  }
}
