package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import io.helix.server.ServerProcess.SseEvent;
import io.helix.testkit.TestRuntime;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three server processes on loopback forming one Pekko cluster over a real PostgreSQL: runs spread
 * over the nodes, streams follow runs across nodes, and a {@code kill -9} or a rolling restart loses
 * no run.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIT {

  private static final int NODES = 3;

  private EmbeddedPostgres postgres;
  private final List<ServerProcess> nodes = new ArrayList<>();
  private final ExecutorService clients = Executors.newCachedThreadPool();

  /**
   * The PostgreSQL server of env {@code HELIX_TEST_PG_URL} (CI starts Debian's), in a new database;
   * else an embedded one.
   */
  private String database(Map<String, String> env) throws Exception {
    String server = System.getenv("HELIX_TEST_PG_URL");
    String user = System.getenv().getOrDefault("HELIX_TEST_PG_USER", "postgres");
    String password = System.getenv().getOrDefault("HELIX_TEST_PG_PASSWORD", "postgres");
    env.put("HELIX_DB_USER", user);
    env.put("HELIX_DB_PASSWORD", password);
    if (server == null || server.isBlank()) {
      postgres = EmbeddedPostgres.builder().start();
      return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }
    String name = "helix_cluster_" + Long.toHexString(System.nanoTime());
    try (Connection admin = DriverManager.getConnection(server, user, password);
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
    URI uri = URI.create(server.substring("jdbc:".length()));
    return "jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + "/" + name;
  }

  @BeforeAll
  void startCluster() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("HELIX_DB_URL", database(env) + "?reWriteBatchedInserts=true");
    List<String> jvm =
        List.of(
            "-Dhelix.offline-model.pause=120ms",
            // down a killed node quickly (production keeps Pekko's 20 s)
            "-Dpekko.cluster.split-brain-resolver.stable-after=3s",
            "-Xmx512m");
    for (int i = 0; i < NODES; i++) {
      nodes.add(new ServerProcess(Files.createTempDirectory("helix-node" + i), env, jvm));
    }
    // every node is a seed: any one of them can restart and find the others
    List<String> seeds = new ArrayList<>();
    nodes.forEach(node -> seeds.add("127.0.0.1:" + node.remotePort));
    env.put("HELIX_SEED_NODES", String.join(",", seeds));
    nodes.get(0).start();
    List<Future<ServerProcess>> rest = new ArrayList<>();
    for (ServerProcess node : nodes.subList(1, NODES)) {
      rest.add(clients.submit(node::start));
    }
    for (Future<ServerProcess> node : rest) {
      node.get(120, TimeUnit.SECONDS);
    }
    TestRuntime.awaitCondition(() -> membersUp(nodes.get(0)) == NODES, Duration.ofSeconds(60));
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (ServerProcess node : nodes) {
      node.close();
    }
    clients.shutdownNow();
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void runsSpreadStreamAcrossNodesAndSurviveKillAndRollingRestart() throws Exception {
    // runs spread over the nodes, and any node streams any run
    List<String> spread = startRuns(12, "spread");
    for (int i = 0; i < spread.size(); i++) {
      ServerProcess other = nodes.get((i + 1) % NODES);
      assertCompleteStream(other.readStream("/agent/stream/" + spread.get(i), null));
    }
    assertTrue(nodesHoldingRunShards() >= 2, "runs are spread over the nodes");

    // kill -9 of one node mid-run: every run completes on the survivors
    List<String> running = startRuns(9, "kill");
    TestRuntime.awaitCondition(
        () -> running.stream().allMatch(id -> nodes.get(0).steps(id) >= 1), Duration.ofSeconds(60));
    // the victim is the node holding most of these runs; some must still be running on it
    ServerProcess victim =
        nodes.stream().max(Comparator.comparingInt(node -> held(node, running).size())).get();
    List<String> held = held(victim, running);
    List<ServerProcess> survivors = nodes.stream().filter(node -> node != victim).toList();
    ServerProcess observer = survivors.get(0);
    Map<String, Integer> stepsAtKill = new HashMap<>();
    running.forEach(id -> stepsAtKill.put(id, observer.steps(id)));
    List<String> heldInFlight =
        held.stream().filter(id -> "running".equals(observer.status(id))).toList();
    long killedAt = System.nanoTime();
    victim.kill();
    assertTrue(
        !heldInFlight.isEmpty(),
        "the killed node held runs in flight (held " + held + " of " + running + ")");
    // resumed: every run has moved on (a step or its end) since the kill
    TestRuntime.awaitCondition(
        () -> running.stream().allMatch(
            id -> observer.steps(id) > stepsAtKill.get(id)
                || "completed".equals(observer.status(id))),
        Duration.ofSeconds(120));
    double resumed = (System.nanoTime() - killedAt) / 1e9;
    TestRuntime.awaitCondition(
        () -> running.stream().allMatch(id -> "completed".equals(observer.status(id))),
        Duration.ofSeconds(120));
    System.out.printf(
        "fail-over: kill -9 of 1 of %d nodes with %d runs in flight (%d of them on it) -> %.1f s to"
            + " every run resumed, %.1f s to all %d completed, 0 lost%n",
        NODES, running.size(), heldInFlight.size(), resumed, (System.nanoTime() - killedAt) / 1e9,
        running.size());
    for (String id : running) {
      assertCompleteStream(survivors.get(1).readStream("/agent/stream/" + id, null));
    }
    victim.start();
    TestRuntime.awaitCondition(() -> membersUp(nodes.get(0)) == NODES, Duration.ofSeconds(60));

    // rolling restart of every node, while a client follows a run and reconnects elsewhere
    List<String> rolling = startRuns(6, "rolling");
    CompletableFuture<List<SseEvent>> follower =
        CompletableFuture.supplyAsync(() -> followAcrossNodes(rolling.get(0)), clients);
    for (ServerProcess node : nodes) {
      node.stop();
      node.start();
      TestRuntime.awaitCondition(() -> membersUp(nodes.get(0)) == NODES, Duration.ofSeconds(60));
    }
    TestRuntime.awaitCondition(
        () -> rolling.stream().allMatch(id -> "completed".equals(nodes.get(1).status(id))),
        Duration.ofSeconds(120));
    List<SseEvent> followed = follower.get(120, TimeUnit.SECONDS);
    assertCompleteStream(followed);
    assertEquals(
        nodes.get(2).readStream("/agent/stream/" + rolling.get(0), null),
        followed,
        "the client that reconnected across restarts saw exactly the stream");
  }

  private List<String> startRuns(int count, String label) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ServerProcess node = nodes.get(i % NODES);
      String body =
          "{\"agentType\":\"research\",\"message\":\"" + label + " " + i + ": what is " + i + " * 3?\"}";
      ids.add(node.post("/agent/execute", body).body().get("runId").asText());
    }
    return ids;
  }

  /** Reads a stream to its end, reconnecting to the next node with Last-Event-ID when cut. */
  private List<SseEvent> followAcrossNodes(String runId) {
    List<SseEvent> seen = new ArrayList<>();
    int node = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      String last = seen.isEmpty() ? null : String.valueOf(seen.get(seen.size() - 1).id());
      try {
        nodes.get(node).readStreamInto("/agent/stream/" + runId, last, seen);
        if (!seen.isEmpty() && seen.get(seen.size() - 1).data().get("type").asText().equals("run_end")) {
          return seen;
        }
      } catch (IOException | RuntimeException e) {
        // the node went away: go on at another
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      node = (node + 1) % NODES;
    }
    throw new AssertionError("the stream of " + runId + " did not end");
  }

  private static void assertCompleteStream(List<SseEvent> events) {
    for (int i = 0; i < events.size(); i++) {
      assertEquals(i, events.get(i).id(), "no gap and no duplicate");
    }
    assertEquals("run_end", events.get(events.size() - 1).data().get("type").asText());
    assertPersistedChunksOnce(events);
  }

  /**
   * The chunks of persisted events once each, whatever node died or restarted: each run's (and
   * sub-agent's) run_start, and each tool call's tool_start and tool_end, the start first.
   */
  private static void assertPersistedChunksOnce(List<SseEvent> events) {
    Map<String, Long> at = new HashMap<>();
    for (SseEvent event : events) {
      JsonNode data = event.data();
      String type = data.get("type").asText();
      if (Set.of("run_start", "tool_start", "tool_end").contains(type)) {
        String call =
            data.path("agentId").asText() + "/" + data.path("step").asText() + "/"
                + data.path("toolCallId").asText();
        Long before = at.put(type + " " + call, event.id());
        assertTrue(before == null, type + " of " + call + " at " + before + " and " + event.id());
      }
    }
    at.forEach(
        (key, offset) -> {
          if (key.startsWith("tool_end ")) {
            Long start = at.get("tool_start " + key.substring("tool_end ".length()));
            assertTrue(start != null && start < offset, "the start of " + key + " before its end");
          }
        });
  }

  /**
   * The runs among {@code runIds} whose shard is on {@code node} now (runs are sharded by {@code
   * HashCodeMessageExtractor} over helix.run.number-of-shards = 128).
   */
  private static List<String> held(ServerProcess node, List<String> runIds) {
    JsonNode shards = management(node, "/cluster/shards/Run");
    Set<String> local = new HashSet<>();
    if (shards != null) {
      shards.path("regions").forEach(region -> local.add(region.path("shardId").asText()));
    }
    return runIds.stream()
        .filter(id -> local.contains(String.valueOf(Math.abs(id.hashCode() % 128))))
        .toList();
  }

  private int nodesHoldingRunShards() {
    int holding = 0;
    for (ServerProcess node : nodes) {
      JsonNode shards = management(node, "/cluster/shards/Run");
      if (shards != null && shards.path("regions").size() > 0) {
        holding++;
      }
    }
    return holding;
  }

  private static int membersUp(ServerProcess node) {
    JsonNode members = management(node, "/cluster/members");
    if (members == null) {
      return 0;
    }
    int up = 0;
    for (JsonNode member : members.path("members")) {
      if (member.path("status").asText().equals("Up")) {
        up++;
      }
    }
    return members.path("unreachable").size() == 0 ? up : 0;
  }

  private static JsonNode management(ServerProcess node, String path) {
    try {
      HttpResponse<String> response =
          node.http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Json.parse(response.body()) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
