package io.helix.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.helix.agent.AgentHandle;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.history.AgentStateRow;
import io.helix.stream.ChunkTypes;
import io.helix.stream.StreamChunk;
import io.helix.testkit.TestRuntime;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Journals outlive releases: today's code opens the journals that each earlier release wrote (the
 * fixtures under {@code journal-fixtures/<release>/}, on H2 and PostgreSQL) and reads every run as
 * that release did. Ended runs answer the same result, replay the same stream and keep their
 * read-model rows, without a model call; runs that were in flight resume by themselves (nothing is
 * sent to them), finish, and their streams go on from where they were.
 */
@Tag("slow")
class JournalFixturesIT {

  private static final List<String> RELEASES = List.of("0.1.0");
  private static final Path FIXTURES = Path.of("src/test/resources/journal-fixtures");

  @Test
  void h2FixturesOpen() throws Exception {
    for (String release : RELEASES) {
      Path dir = Files.createTempDirectory("helix-fixture-h2");
      Path data = Files.createDirectories(dir.resolve("data"));
      Path source = FIXTURES.resolve(release).resolve("h2");
      Files.copy(source.resolve("helix.mv.db"), data.resolve("helix.mv.db"));
      verify(release, Map.of("helix.data-dir", data.toString()), JournalFixtures.read(source));
    }
  }

  @Test
  void postgresqlFixturesOpen() throws Exception {
    try (TestPostgres postgres = TestPostgres.start()) {
      for (String release : RELEASES) {
        Path source = FIXTURES.resolve(release).resolve("postgresql");
        String url = postgres.newDatabase("helix_fixture_" + release.replace('.', '_'));
        try (Connection connection = DriverManager.getConnection(url, postgres.user, postgres.password);
            Statement statement = connection.createStatement()) {
          statement.execute(Files.readString(source.resolve("dump.sql"), StandardCharsets.UTF_8));
        }
        verify(
            release,
            Map.of(
                "helix.db.url", url,
                "helix.db.user", postgres.user,
                "helix.db.password", postgres.password),
            JournalFixtures.read(source));
      }
    }
  }

  private static void verify(String release, Map<String, String> database, JsonNode expected)
      throws Exception {
    try (FixtureNode node = FixtureNode.start(database, false, "")) {
      // in-flight runs are remembered: they resume with nothing sent to them
      TestRuntime.awaitCondition(
          () ->
              node.model.requests("inflight-model") > 0
                  && node.model.requests("inflight-step2") > 0
                  && node.model.requests("hang analysis") > 0
                  && node.model.requests("inflight-tool") > 0,
          Duration.ofSeconds(90));
      for (Iterator<Map.Entry<String, JsonNode>> it = expected.get("runs").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> run = it.next();
        String id = run.getKey();
        JsonNode was = run.getValue();
        String what = release + " run " + id;
        if (RunStatus.valueOf(was.get("result").get("status").asText()).isTerminal()) {
          JsonNode now = JournalFixtures.record(node, id);
          assertEquals(was.get("result"), now.get("result"), what + ": result");
          assertEquals(was.get("chunks"), now.get("chunks"), what + ": stream");
          assertEquals(was.get("row"), now.get("row"), what + ": read-model row");
          assertEquals(was.get("messages"), now.get("messages"), what + ": read-model messages");
        } else {
          verifyResumed(node, what, id, was);
        }
      }
      // ended runs were never asked for again
      for (String[] run : JournalFixtures.FINISHED) {
        assertEquals(0, node.model.requests(run[1]), release + " " + run[1] + ": model requests");
      }
    }
  }

  private static void verifyResumed(FixtureNode node, String what, String id, JsonNode was)
      throws Exception {
    AgentHandle handle = TestRuntime.await(node.executor.getHandle(id)).orElseThrow();
    RunResult result =
        handle.result(Duration.ofSeconds(60)).toCompletableFuture().get();
    assertEquals(RunStatus.completed, result.status(), what + ": " + result);
    String answer = JournalFixtures.IN_FLIGHT.get(id);
    if (answer != null) {
      assertEquals(answer, result.output().asText(), what + ": output");
    } else {
      assertEquals("short", result.output().path("summary").asText(), what + ": child output");
    }
    if (handle.streamId().equals(id)) {
      // the run's last chunks reach its stream right after its end is persisted
      TestRuntime.awaitCondition(
          () -> {
            try {
              return TestRuntime.await(handle.streamStatus()).ended();
            } catch (Exception e) {
              return false;
            }
          },
          Duration.ofSeconds(30));
      List<StreamChunk> chunks = JournalFixtures.chunks(node, handle);
      ArrayNode before = (ArrayNode) was.get("chunks");
      for (int i = 0; i < before.size(); i++) {
        assertEquals(before.get(i), JournalFixtures.normal(chunks.get(i).toJson()), what + ": chunk " + i + " kept");
      }
      for (int i = 0; i < chunks.size(); i++) {
        assertEquals(i, chunks.get(i).seq(), what + ": offsets without gaps");
      }
      assertTrue(chunks.size() > before.size(), what + ": the stream went on");
      assertEquals(ChunkTypes.RUN_END, chunks.get(chunks.size() - 1).type(), what + ": ended");
    }
    TestRuntime.awaitCondition(
        () -> {
          try {
            Optional<AgentStateRow> row = TestRuntime.await(node.stateStore.load(id));
            return row.isPresent() && row.get().status() == RunStatus.completed;
          } catch (Exception e) {
            return false;
          }
        },
        Duration.ofSeconds(30));
  }

  /**
   * The PostgreSQL server of env {@code HELIX_TEST_PG_URL} (CI starts Debian's), else an embedded
   * one; fails when {@code CI=true} and neither can be had.
   */
  static final class TestPostgres implements AutoCloseable {
    final String server;
    final String user;
    final String password;
    private final EmbeddedPostgres embedded;

    private TestPostgres(String server, String user, String password, EmbeddedPostgres embedded) {
      this.server = server;
      this.user = user;
      this.password = password;
      this.embedded = embedded;
    }

    static TestPostgres start() throws Exception {
      String server = System.getenv("HELIX_TEST_PG_URL");
      if (server != null && !server.isBlank()) {
        return new TestPostgres(
            server,
            System.getenv().getOrDefault("HELIX_TEST_PG_USER", "postgres"),
            System.getenv().getOrDefault("HELIX_TEST_PG_PASSWORD", "postgres"),
            null);
      }
      EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
      return new TestPostgres(
          "jdbc:postgresql://127.0.0.1:" + embedded.getPort() + "/postgres",
          "postgres",
          "postgres",
          embedded);
    }

    /** A new, empty database; its JDBC URL. */
    String newDatabase(String prefix) throws Exception {
      String name = prefix + "_" + Long.toHexString(System.nanoTime());
      try (Connection admin = DriverManager.getConnection(server, user, password);
          Statement statement = admin.createStatement()) {
        statement.execute("CREATE DATABASE " + name);
      }
      URI uri = URI.create(server.substring("jdbc:".length()));
      return "jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + "/" + name;
    }

    @Override
    public void close() throws Exception {
      if (embedded != null) {
        embedded.close();
      }
    }
  }
}
