package io.helix.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.agent.AgentHandle;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The benchmark driver: agent-10 through the Java API and through HTTP at several concurrencies,
 * on H2 and on PostgreSQL, beside the raw JDBC limit measured in the same run. Prints a Markdown
 * table and writes JSON. See bench/README.md.
 *
 * <p>At some 400 lines it stays one file on purpose: it is the suite's script, read top to bottom in
 * the order the table prints; each measurement lives beside it (Agent10, BenchNode, Capacity,
 * RawJdbcBaseline, SseReaders).
 */
public final class Bench {

  private record Options(
      int runs,
      int latencyRuns,
      List<Integer> concurrency,
      List<String> databases,
      String pgUrl,
      String pgUser,
      String pgPassword,
      Path out,
      boolean facts,
      List<String> journals) {

    static Options parse(String[] args) {
      int runs = 1000;
      int latencyRuns = 200;
      List<Integer> concurrency = List.of(1, 64, 512);
      List<String> databases = List.of("h2", "postgres");
      String pgUrl = System.getenv().getOrDefault("HELIX_BENCH_PG_URL", "");
      String pgUser = System.getenv().getOrDefault("HELIX_BENCH_PG_USER", "postgres");
      String pgPassword = System.getenv().getOrDefault("HELIX_BENCH_PG_PASSWORD", "postgres");
      Path out = Path.of("bench", "target", "bench-results.json");
      boolean facts = true;
      List<String> journals = List.of("group-commit", "pekko-jdbc", BenchNode.IN_MEMORY);
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : "";
        switch (args[i]) {
          case "--runs" -> runs = Integer.parseInt(value);
          case "--latency-runs" -> latencyRuns = Integer.parseInt(value);
          case "--concurrency" ->
              concurrency = Arrays.stream(value.split(",")).map(Integer::parseInt).toList();
          case "--db" -> databases = List.of(value.split(","));
          case "--pg-url" -> pgUrl = value;
          case "--out" -> out = Path.of(value);
          case "--journals" -> journals = List.of(value.split(","));
          case "--no-facts" -> { // only the agent-10 rows: no start, recovery nor heap figures
            facts = false;
            i--; // a flag: no value follows
          }
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
        i++;
      }
      return new Options(
          runs, latencyRuns, concurrency, databases, pgUrl, pgUser, pgPassword, out, facts,
          journals);
    }
  }

  private final Options options;
  private final List<Row> rows = new ArrayList<>();
  private final ObjectNode extra = Json.object();

  private Bench(Options options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    Bench bench = new Bench(Options.parse(args));
    bench.run();
    System.exit(0);
  }

  private void run() throws Exception {
    for (String database : options.databases()) {
      switch (database) {
        case "h2" -> {
          for (String journal : options.journals()) {
            Path dir = Files.createTempDirectory("helix-bench-h2");
            measure("H2 (file)", "", "sa", "", dir, journal);
          }
        }
        case "postgres" -> {
          if (options.pgUrl().isBlank()) {
            try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
              String admin = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
              for (String journal : options.journals()) {
                measure("PostgreSQL (embedded 14)",
                    freshDatabase(admin + "?reWriteBatchedInserts=true", "postgres", "postgres"),
                    "postgres", "postgres", Files.createTempDirectory("helix-bench-pg"), journal);
              }
            }
          } else {
            for (String journal : options.journals()) {
              measure("PostgreSQL", freshDatabase(options.pgUrl(), options.pgUser(), options.pgPassword()),
                  options.pgUser(), options.pgPassword(), Files.createTempDirectory("helix-bench-pg"),
                  journal);
            }
          }
        }
        default -> throw new IllegalArgumentException("unknown database " + database);
      }
    }
    print();
  }

  /**
   * The URL of an empty database {@value #BENCH_DATABASE} on the server the given URL names, made
   * anew: every run of the benchmark starts from empty tables, as on a fresh machine, not on the
   * journals of the runs before it.
   */
  static String freshDatabase(String url, String user, String password) throws Exception {
    java.util.regex.Matcher database =
        java.util.regex.Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(.*)$").matcher(url);
    if (!database.matches()) {
      throw new IllegalArgumentException("not a jdbc:postgresql://host/database URL: " + url);
    }
    if (database.group(2).equals(BENCH_DATABASE)) {
      throw new IllegalArgumentException(
          "give the URL of another database on the server (e.g. postgres): the benchmark drops and"
              + " creates " + BENCH_DATABASE + " from there");
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, user, password);
        java.sql.Statement s = c.createStatement()) {
      // FORCE (PostgreSQL 13+): a crashed earlier run may have left connections to it
      s.execute("DROP DATABASE IF EXISTS " + BENCH_DATABASE + " WITH (FORCE)");
      s.execute("CREATE DATABASE " + BENCH_DATABASE);
    }
    return database.group(1) + BENCH_DATABASE + database.group(3);
  }

  private static final String BENCH_DATABASE = "helix_bench";

  /** The raw JDBC limit of the database being measured, from its first journal's node. */
  private double rawMany;
  private double rawRunMedian;

  /**
   * The rows of one database with one journal (helix.db.journal); the raw JDBC rows with the first
   * journal, the other figures (start, recovery, heap) with the first journal only. The first
   * journal's rows are named "Java API" and "HTTP", the others' say their journal.
   */
  private void measure(String name, String url, String user, String password, Path dir, String journal)
      throws Exception {
    boolean first = journal.equals(options.journals().get(0));
    String suffix =
        first ? "" : journal.equals(BenchNode.IN_MEMORY) ? ", events in memory" : ", " + journal + " journal";
    System.out.println("== " + name + ", " + journal + " journal");
    try (BenchNode node = new BenchNode(dir, url, user, password, journal)) {
      if (first) {
        RawJdbcBaseline raw = new RawJdbcBaseline(node.database);
        long[] rawRuns = raw.runLatencies(options.latencyRuns());
        double rawOne = raw.commitsPerSecond(1, 2000);
        rawMany = raw.commitsPerSecond(64, 200);
        rawRunMedian = percentile(rawRuns, 50);
        rows.add(Row.of(name, "raw JDBC, 22 commits by hand", 1, rawRuns, rawOne / Agent10.COMMITS_PER_RUN, rawOne, "1.00×"));
        rows.add(new Row(name, "raw JDBC, commit per checkpoint", 64, 0, 0, 0,
            rawMany / Agent10.COMMITS_PER_RUN, rawMany, "1.00×", Agent10.COMMITS_PER_RUN,
            Agent10.COMMITS_PER_RUN));
      }

      // warm-up: the JIT, the pools, and every shard allocated once (steady state)
      runJavaApi(node, 500, 16);
      for (int concurrency : options.concurrency()) {
        int runs = concurrency == 1 ? options.latencyRuns() : options.runs();
        DatabaseCounters before = DatabaseCounters.read(node.database);
        Measured java = runJavaApi(node, runs, concurrency);
        DatabaseCounters after = DatabaseCounters.read(node.database);
        String ratio =
            concurrency == 1
                ? String.format(Locale.ROOT, "%.2f× latency", java.median() / rawRunMedian)
                : String.format(Locale.ROOT, "%.2f× throughput", java.checkpointsPerSecond() / rawMany);
        rows.add(Row.of(name, "Java API" + suffix, concurrency, java.latencies(), java.runsPerSecond(),
            java.checkpointsPerSecond(), ratio)
            .counted(after.rowsSince(before), after.transactionsSince(before)));
      }
      if (journal.equals(BenchNode.IN_MEMORY)) {
        return; // the HTTP API finds runs in the database's journal
      }
      Measured http = runHttp(node, options.runs(), 64);
      rows.add(Row.of(name, "HTTP" + suffix, 64, http.latencies(), http.runsPerSecond(),
          http.checkpointsPerSecond(),
          String.format(Locale.ROOT, "%.2f× throughput", http.checkpointsPerSecond() / rawMany)));

      if (!options.facts() || !first) {
        return;
      }
      ObjectNode facts = extra.putObject(name);
      facts.put("startToReadyMs", node.startToReadyMillis);
      facts.put("firstAnswerOfPassivatedRunMedianMs", firstAnswerOfPassivatedRuns(node, 100));
      facts.put("recoveryOf1000StepRunMs", recoveryOfALongRun(node));
      heapPerRun(node, facts);
      facts.put("peakRssMb", peakRssMb());
    }
  }

  private record Measured(long[] latencies, double runsPerSecond, double checkpointsPerSecond) {
    double median() {
      return percentile(latencies, 50);
    }
  }

  private Measured runJavaApi(BenchNode node, int runs, int concurrency) throws Exception {
    return drive(
        runs,
        concurrency,
        () ->
            node.executor
                .execute(Agent10.AGENT, "go")
                .thenCompose(AgentHandle::result)
                .thenApply(Bench::completed));
  }

  private Measured runHttp(BenchNode node, int runs, int concurrency) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String base = "http://127.0.0.1:" + node.httpPort;
    return drive(
        runs,
        concurrency,
        () ->
            client
                .sendAsync(
                    HttpRequest.newBuilder(URI.create(base + "/agent/execute"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"agentType\":\"agent10\",\"message\":\"go\"}"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .thenCompose(
                    started -> {
                      String runId = Json.parse(started.body()).get("runId").asText();
                      return client.sendAsync(
                          HttpRequest.newBuilder(URI.create(base + "/agent/result/" + runId + "?wait=30"))
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
                    })
                .thenApply(
                    result -> {
                      String status = Json.parse(result.body()).path("status").asText();
                      if (!status.equals("completed")) {
                        throw new IllegalStateException("run ended " + status + ": " + result.body());
                      }
                      return null;
                    }));
  }

  private static Void completed(RunResult result) {
    if (result.status() != RunStatus.completed) {
      throw new IllegalStateException("run ended " + result.status() + ": " + result.error());
    }
    return null;
  }

  /** Runs {@code runs} runs with at most {@code concurrency} in flight. */
  private static Measured drive(int runs, int concurrency, Supplier<CompletionStage<Void>> oneRun)
      throws Exception {
    Semaphore inFlight = new Semaphore(concurrency);
    long[] latencies = new long[runs];
    List<CompletableFuture<Void>> all = new ArrayList<>(runs);
    long start = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      inFlight.acquire();
      int index = i;
      long runStart = System.nanoTime();
      all.add(
          oneRun
              .get()
              .toCompletableFuture()
              .whenComplete(
                  (ok, error) -> {
                    latencies[index] = System.nanoTime() - runStart;
                    inFlight.release();
                  }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - start) / 1e9;
    double runsPerSecond = runs / seconds;
    return new Measured(latencies, runsPerSecond, runsPerSecond * Agent10.COMMITS_PER_RUN);
  }

  /** Runs that finished and passivated: the time to their first answer, recovery included. */
  private static double firstAnswerOfPassivatedRuns(BenchNode node, int runs) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      AgentHandle handle = node.executor.execute(Agent10.AGENT, "go").toCompletableFuture().get();
      handle.result().toCompletableFuture().get();
      ids.add(handle.runId());
    }
    // helix.run.passivate-finished-after is 1 s here
    Thread.sleep(Duration.ofSeconds(3).toMillis());
    long[] latencies = new long[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      node.executor.getHandle(ids.get(i)).toCompletableFuture().get().orElseThrow();
      latencies[i] = System.nanoTime() - start;
    }
    return percentile(latencies, 50);
  }

  /** A finished run of 1,000 tool steps, passivated: its first answer includes its recovery. */
  private static double recoveryOfALongRun(BenchNode node) throws Exception {
    AgentHandle handle = node.executor.execute(Agent10.LONG_AGENT, "go").toCompletableFuture().get();
    RunResult result = handle.result().toCompletableFuture().get(10, TimeUnit.MINUTES);
    completed(result);
    Thread.sleep(Duration.ofSeconds(3).toMillis()); // passivated after 1 s
    long start = System.nanoTime();
    RunResult recovered =
        node.executor.getHandle(handle.runId()).toCompletableFuture().get().orElseThrow()
            .status().toCompletableFuture().get();
    double millis = (System.nanoTime() - start) / 1e6;
    if (recovered.steps() != Agent10.LONG_STEPS + 1) {
      throw new IllegalStateException("recovered " + recovered.steps() + " steps");
    }
    return millis;
  }

  /** Heap per active run (its model not answering) and per finished run, after full GCs. */
  private void heapPerRun(BenchNode node, ObjectNode facts) throws Exception {
    int active = 1000;
    long before = usedHeapAfterGc();
    List<AgentHandle> waiting = new ArrayList<>();
    for (int i = 0; i < active; i++) {
      waiting.add(node.executor.execute(Agent10.WAITING_AGENT, "wait").toCompletableFuture().get());
    }
    long withActive = usedHeapAfterGc();
    facts.put("heapPerActiveRunKb", (withActive - before) / 1024.0 / active);
    node.gated.gate.complete(null);
    for (AgentHandle handle : waiting) {
      handle.result().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }
    int finished = 10_000;
    long beforeFinished = usedHeapAfterGc();
    drive(finished, 64, () -> node.executor.execute(Agent10.AGENT, "go")
        .thenCompose(AgentHandle::result).thenApply(Bench::completed));
    // finished runs passivate after 1 s, their ended streams after 5 s (helix.stream.ended-idle-timeout)
    Thread.sleep(Duration.ofSeconds(8).toMillis());
    long afterFinished = usedHeapAfterGc();
    facts.put("heapPerFinishedRunBytesAfter10000Runs", (afterFinished - beforeFinished) / (double) finished);
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The percentile of nanosecond latencies, in milliseconds. */
  static double percentile(long[] latencies, int percentile) {
    if (latencies.length == 0) {
      return 0;
    }
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(index, sorted.length - 1))] / 1e6;
  }

  private static long peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    return -1;
  }

  private void print() throws Exception {
    String table = Row.table(rows);
    ArrayNode json = Json.mapper().createArrayNode();
    rows.forEach(row -> json.add(Json.toTree(row)));
    System.out.println();
    System.out.println(table);
    System.out.println("Other figures: " + extra.toPrettyString());
    ObjectNode all = Json.object();
    all.set("rows", json);
    all.set("other", extra);
    all.put("checkpointsPerRun", Agent10.COMMITS_PER_RUN);
    Files.createDirectories(options.out().toAbsolutePath().getParent());
    Files.writeString(options.out(), all.toPrettyString());
    System.out.println("JSON written to " + options.out());
  }
}
