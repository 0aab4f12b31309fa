package io.helix.upgrade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.agent.AgentHandle;
import io.helix.agent.RunResult;
import io.helix.history.ProjectionLag;
import io.helix.json.Json;
import io.helix.stream.ChunkTypes;
import io.helix.stream.StreamChunk;
import io.helix.testkit.TestRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The journal fixtures of a release: what its code wrote for runs in every status, and how they read
 * then. {@link #write} makes them (once per release that changes an event, snapshot or serialized
 * state: see docs/journal-compatibility.md); {@code JournalFixturesIT} opens them with today's code.
 *
 * <p>Each scenario is a run of {@link FixtureAgents}: {@code expected.json} holds, per run id, its
 * result, its stream's chunks and its read-model row and messages as the writing release saw them.
 */
final class JournalFixtures {

  /** Runs that had ended when the fixture was written: agent type → scenarios (= run ids). */
  static final List<String[]> FINISHED =
      List.of(
          new String[] {"fx-research", "plain"},
          new String[] {"fx-research", "tools"},
          new String[] {"fx-research", "state"},
          new String[] {"fx-research", "subagent"},
          new String[] {"fx-research", "fail"},
          new String[] {"fx-bounded", "bounded"},
          new String[] {"fx-research", "abort"},
          new String[] {"fx-deadline", "deadline"});

  /** Runs in flight when the writing node stopped, and the answer each completes with. */
  static final Map<String, String> IN_FLIGHT =
      Map.of(
          "inflight-model", "Resumed answer.",
          "inflight-tool", "Tool finished.",
          "inflight-subagent", "Analysis done.",
          "inflight-step2", "The sum is 5.");

  private JournalFixtures() {}

  /**
   * Writes a release's fixtures: {@code h2 DIR} (the H2 database in {@code DIR/data}, {@code
   * expected.json} in DIR), or {@code postgresql JDBC-URL USER PASSWORD DIR} (into that empty
   * database; then {@code pg_dump --inserts --no-owner --no-privileges} it to {@code DIR/dump.sql}).
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("h2")) {
      Path dir = Path.of(args[1]).toAbsolutePath();
      write(Map.of("helix.data-dir", dir.resolve("data").toString()), dir);
    } else if (args.length == 5 && args[0].equals("postgresql")) {
      write(
          Map.of("helix.db.url", args[1], "helix.db.user", args[2], "helix.db.password", args[3]),
          Path.of(args[4]).toAbsolutePath());
    } else {
      throw new IllegalArgumentException(
          "usage: h2 DIR | postgresql JDBC-URL USER PASSWORD DIR");
    }
    System.exit(0);
  }

  /**
   * Writes the fixtures into a database ({@code database}: helix.data-dir, or helix.db.url and
   * credentials) and {@code expected.json} into {@code out}.
   */
  static void write(Map<String, String> database, Path out) throws Exception {
    ObjectNode expected = Json.object();
    ObjectNode runs = expected.putObject("runs");
    // small snapshot intervals, so the fixtures hold snapshots of runs and streams too
    try (FixtureNode node =
        FixtureNode.start(
            database, true, "helix.run.snapshot-every = 3\nhelix.stream.snapshot-every = 5")) {
      List<String> ids = new ArrayList<>();
      for (String[] run : FINISHED) {
        AgentHandle handle =
            TestRuntime.await(node.executor.execute(run[0], run[1], run[1]));
        if (run[1].equals("abort")) {
          TestRuntime.awaitCondition(
              () -> count(node, handle, ChunkTypes.TEXT_DELTA) > 0, Duration.ofSeconds(20));
          TestRuntime.await(handle.abort("fixture abort"));
        }
        RunResult result = handle.result().toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (!result.status().isTerminal()) {
          throw new IllegalStateException(run[1] + " did not end: " + result);
        }
        ids.add(run[1]);
        ids.addAll(children(node, handle));
      }
      for (String scenario : IN_FLIGHT.keySet()) {
        AgentHandle handle =
            TestRuntime.await(node.executor.execute("fx-research", scenario, scenario));
        String waitFor =
            scenario.equals("inflight-tool") ? ChunkTypes.TOOL_START : ChunkTypes.TEXT_DELTA;
        int deltas = scenario.equals("inflight-step2") ? 2 : 1;
        TestRuntime.awaitCondition(
            () -> count(node, handle, waitFor) >= deltas, Duration.ofSeconds(20));
        ids.add(scenario);
        ids.addAll(children(node, handle));
      }
      TestRuntime.awaitCondition(() -> projected(node, ids), Duration.ofSeconds(60));
      for (String id : ids) {
        runs.set(id, record(node, id));
      }
    }
    Files.createDirectories(out);
    Files.writeString(
        out.resolve("expected.json"),
        Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(expected));
  }

  /** A run as it reads now: result, stream chunks, read-model row and messages. */
  static ObjectNode record(FixtureNode node, String runId) throws Exception {
    AgentHandle handle = TestRuntime.await(node.executor.getHandle(runId)).orElseThrow();
    ObjectNode run = Json.object();
    run.set("result", Json.toTree(TestRuntime.await(handle.status())));
    ArrayNode chunks = run.putArray("chunks");
    if (handle.streamId().equals(runId)) {
      chunks(node, handle).forEach(chunk -> chunks.add(chunk.toJson()));
    }
    run.set("row", Json.toTree(TestRuntime.await(node.stateStore.load(runId)).orElse(null)));
    run.set(
        "messages", Json.toTree(TestRuntime.await(node.stateStore.getMessages(runId, 0, 1000, true))));
    return normal(run);
  }

  /** The chunks the run's stream holds now. */
  static List<StreamChunk> chunks(FixtureNode node, AgentHandle handle) {
    try {
      long next = TestRuntime.await(handle.streamStatus()).nextOffset();
      return TestRuntime.await(handle.stream(0).take(next).runWith(Sink.seq(), node.system));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long count(FixtureNode node, AgentHandle handle, String type) {
    return chunks(node, handle).stream().filter(c -> c.type().equals(type)).count();
  }

  /** The sub-agent runs the run started, from its stream. */
  private static List<String> children(FixtureNode node, AgentHandle handle) {
    return chunks(node, handle).stream()
        .filter(c -> c.type().equals(ChunkTypes.SUBAGENT_START))
        .map(c -> c.data().get("subAgentId").asText())
        .distinct()
        .toList();
  }

  /** Whether the read model holds every event of the journal, and a row for each run. */
  static boolean projected(FixtureNode node, List<String> runIds) {
    try {
      List<ProjectionLag> lag = TestRuntime.await(node.stateStore.lag());
      if (lag.isEmpty() || lag.stream().anyMatch(l -> l.eventsBehind() != 0)) {
        return false;
      }
      for (String id : runIds) {
        if (TestRuntime.await(node.stateStore.load(id)).isEmpty()) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** The value as it reads back from JSON text (numbers of one kind), to compare with a fixture. */
  static ObjectNode normal(ObjectNode value) {
    return (ObjectNode) Json.parse(Json.write(value));
  }

  static JsonNode read(Path dir) throws Exception {
    return Json.parse(Files.readString(dir.resolve("expected.json")));
  }
}
