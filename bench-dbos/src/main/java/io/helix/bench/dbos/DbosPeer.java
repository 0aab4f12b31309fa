package io.helix.bench.dbos;

import dev.dbos.transact.DBOS;
import dev.dbos.transact.config.DBOSConfig;
import dev.dbos.transact.workflow.Workflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The peer of bench/run.sh: agent-10 (DESIGN.md §9) on DBOS Transact Java, on the PostgreSQL the
 * Helix rows were measured on, a fresh database per trial. A run is one {@code @Workflow} with one
 * step per model call and per tool call (ten model answers of about 300 bytes, each with a tool
 * call, ten tool results, the final answer): the same 22 checkpoints a Helix run commits. It
 * prints its rows at concurrency 1 and 64, each beside the raw JDBC and Helix rows of the same
 * {@code bench-results.json} as a ratio.
 *
 * <pre>
 * HELIX_BENCH_PG_URL=jdbc:postgresql://127.0.0.1:5432/postgres \
 *   java -jar bench-dbos/target/helix-bench-dbos.jar [--runs 1000] [--latency-runs 200]
 *   [--results bench/target/bench-results.json]
 * </pre>
 */
public final class DbosPeer {

  static final int TOOL_STEPS = 10;
  static final int CHECKPOINTS_PER_RUN = 1 + 2 * TOOL_STEPS + 1;
  static final String DATABASE = "helix_bench_dbos";

  private static final String THOUGHT =
      "Considering the next part of the task, I will call the tool to look up what is needed and"
          + " carry its result forward into the following step of the plan, as agreed. ";

  /** agent-10 as a workflow. */
  public interface Agent10 {
    String run(String task);
  }

  /** Its implementation: each model call and each tool call a step. */
  public static final class Agent10Workflow implements Agent10 {
    private volatile DBOS dbos;

    @Override
    @Workflow(name = "agent10")
    public String run(String task) {
      String carried = task;
      for (int step = 1; step <= TOOL_STEPS; step++) {
        int s = step;
        String answer = dbos.runStep(() -> modelAnswer(s), "model");
        String input = carried + answer.length();
        carried = dbos.runStep(() -> toolResult(s, input), "tool");
      }
      return dbos.runStep(() -> "All ten steps are done; the answer is 42.", "model");
    }
  }

  private static String modelAnswer(int step) {
    return THOUGHT
        + "{\"toolCall\":{\"id\":\"call-" + step + "\",\"name\":\"lookup\",\"input\":{\"key\":\"k"
        + step + "\"}}}";
  }

  private static String toolResult(int step, String input) {
    return "{\"key\":\"k" + step + "\",\"value\":42,\"after\":" + input.length() + "}";
  }

  private DbosPeer() {}

  public static void main(String[] args) throws Exception {
    String url = System.getenv().getOrDefault("HELIX_BENCH_PG_URL", "");
    String user = System.getenv().getOrDefault("HELIX_BENCH_PG_USER", "postgres");
    String password = System.getenv().getOrDefault("HELIX_BENCH_PG_PASSWORD", "postgres");
    int runs = 1000;
    int latencyRuns = 200;
    Path results = Path.of("bench", "target", "bench-results.json");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--latency-runs" -> latencyRuns = Integer.parseInt(args[++i]);
        case "--results" -> results = Path.of(args[++i]);
        case "--pg-url" -> url = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (url.isBlank()) {
      System.out.println("DBOS peer: skipped, it needs the PostgreSQL of HELIX_BENCH_PG_URL");
      return;
    }
    List<String> rows = new ArrayList<>();
    Reference reference = Reference.read(results);
    Trial one = trial(url, user, password, latencyRuns, 1);
    double median = percentile(one.latencies(), 50);
    rows.add(
        row(1, one, String.format(Locale.ROOT, "%.2f× raw latency; Helix %.2f× DBOS latency",
            median / reference.rawMedianMs(), reference.helixMedianMs() / median)));
    Trial many = trial(url, user, password, runs, 64);
    rows.add(
        row(64, many, String.format(Locale.ROOT, "%.2f× raw throughput; Helix %.2f× DBOS",
            many.checkpointsPerSecond() / reference.rawCheckpoints(),
            reference.helixCheckpoints() / many.checkpointsPerSecond())));
    System.out.println();
    System.out.println(
        "| database | path | concurrency | runs | median ms | p99 ms | runs/s | checkpoints/s |"
            + " vs raw, vs Helix (same run's " + results + ") |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---|");
    rows.forEach(System.out::println);
    System.exit(0);
  }

  /** The PostgreSQL rows of Helix's run of the benchmark (NaN when there are none). */
  private record Reference(
      double rawMedianMs, double rawCheckpoints, double helixMedianMs, double helixCheckpoints) {

    static Reference read(Path results) throws Exception {
      double[] figures = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
      if (Files.exists(results)) {
        JsonNode rows = JsonMapper.builder().build().readTree(results.toFile()).path("rows");
        for (int i = 0; i < rows.size(); i++) {
          JsonNode row = rows.get(i);
          if (!row.path("database").asString().startsWith("PostgreSQL")) {
            continue;
          }
          String path = row.path("path").asString();
          int concurrency = row.path("concurrency").asInt();
          if (path.startsWith("raw JDBC") && concurrency == 1) {
            figures[0] = row.path("medianMs").asDouble();
          } else if (path.startsWith("raw JDBC")) {
            figures[1] = row.path("checkpointsPerSecond").asDouble();
          } else if (path.equals("Java API") && concurrency == 1) {
            figures[2] = row.path("medianMs").asDouble();
          } else if (path.equals("Java API") && concurrency == 64) {
            figures[3] = row.path("checkpointsPerSecond").asDouble();
          }
        }
      }
      return new Reference(figures[0], figures[1], figures[2], figures[3]);
    }
  }

  /** Runs measured: their latencies, sorted, and how long they all took. */
  private record Trial(long[] latencies, double seconds) {
    double runsPerSecond() {
      return latencies.length / seconds;
    }

    double checkpointsPerSecond() {
      return runsPerSecond() * CHECKPOINTS_PER_RUN;
    }
  }

  /** {@code runs} runs at {@code concurrency} on a fresh database. */
  private static Trial trial(String url, String user, String password, int runs, int concurrency)
      throws Exception {
    Agent10Workflow implementation = new Agent10Workflow();
    DBOS dbos =
        new DBOS(
            DBOSConfig.defaults("helix-bench-dbos")
                .withDatabaseUrl(freshDatabase(url, user, password))
                .withDbUser(user)
                .withDbPassword(password)
                .withAdminServer(false));
    implementation.dbos = dbos;
    Agent10 agent = dbos.registerProxy(Agent10.class, implementation);
    dbos.launch();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      for (int i = 0; i < 50; i++) {
        agent.run("warm-up");
      }
      long start = System.nanoTime();
      List<Future<Long>> timings = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        timings.add(
            pool.submit(
                () -> {
                  long started = System.nanoTime();
                  agent.run("go");
                  return System.nanoTime() - started;
                }));
      }
      long[] latencies = new long[runs];
      for (int i = 0; i < runs; i++) {
        latencies[i] = timings.get(i).get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Arrays.sort(latencies);
      return new Trial(latencies, seconds);
    } finally {
      pool.shutdownNow();
      dbos.shutdown();
    }
  }

  /**
   * The URL of database {@value #DATABASE}, made anew on the server of {@code url} (which names
   * another database to connect from): every trial starts from empty tables.
   */
  private static String freshDatabase(String url, String user, String password) throws Exception {
    Matcher database = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(.*)$").matcher(url);
    if (!database.matches() || database.group(2).equals(DATABASE)) {
      throw new IllegalArgumentException("not a jdbc:postgresql://host/database URL: " + url);
    }
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
      s.execute("CREATE DATABASE " + DATABASE);
    }
    return database.group(1) + DATABASE + database.group(3);
  }

  private static double percentile(long[] sortedNanos, double p) {
    int index = (int) Math.min(sortedNanos.length - 1, Math.ceil(sortedNanos.length * p / 100) - 1);
    return sortedNanos[Math.max(0, index)] / 1e6;
  }

  private static String row(int concurrency, Trial trial, String versus) {
    return String.format(
        Locale.ROOT,
        "| PostgreSQL | DBOS Transact 1.1.0-m6, a step per call | %d | %d | %.2f | %.2f | %.1f |"
            + " %.0f | %s |",
        concurrency,
        trial.latencies().length,
        percentile(trial.latencies(), 50),
        percentile(trial.latencies(), 99),
        trial.runsPerSecond(),
        trial.checkpointsPerSecond(),
        versus);
  }
}
