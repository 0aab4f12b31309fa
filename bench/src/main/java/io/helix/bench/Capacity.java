package io.helix.bench;

import com.sun.management.OperatingSystemMXBean;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.model.ModelCatalog;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The capacity benchmark: how many concurrent streaming agents does one node hold? Per level N: N
 * runs at once on a fake streaming model (first token after 500 ms, then 30 tokens/s; 5 tool steps
 * and a final answer), each with one SSE subscriber on loopback; the delay of each token from the
 * model to its subscriber (p50, p99), errors (runs not completed, subscribers short of tokens), the
 * process's CPU, its peak heap (and its growth over the level per run), and the journal rows and database commits per second. The capacity
 * is the largest N with p99 under 250 ms and no error; it stops at the first level that fails.
 *
 * <pre>
 * java -cp bench/target/helix-bench.jar io.helix.bench.Capacity [--levels 100,500,1000,2000,5000]
 *     [--tokens 10] [--all-levels] [--pg-url jdbc:postgresql://...]
 * </pre>
 */
public final class Capacity {

  static final String AGENT = "streamer";
  static final long P99_LIMIT_MS = 250;
  static final int TOOL_STEPS = 5;

  private record Level(
      int runs,
      double p50Ms,
      double p99Ms,
      int errors,
      double cpuPercent,
      long peakHeapMb,
      long heapPerRunKb,
      double journalRowsPerSecond,
      double commitsPerSecond,
      double seconds) {

    boolean passed() {
      return errors == 0 && p99Ms < P99_LIMIT_MS;
    }
  }

  private Capacity() {}

  public static void main(String[] args) throws Exception {
    List<Integer> levels = List.of(100, 500, 1000, 2000, 5000);
    int tokens = 10;
    boolean allLevels = false;
    String pgUrl = System.getenv().getOrDefault("HELIX_BENCH_PG_URL", "");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--levels" ->
            levels = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
        case "--tokens" -> tokens = Integer.parseInt(args[++i]);
        case "--all-levels" -> allLevels = true;
        case "--pg-url" -> pgUrl = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    StreamingModel model = new StreamingModel(500, 30, tokens, TOOL_STEPS);
    AgentRegistry agents =
        new AgentRegistry()
            .register(
                AgentDefinition.builder(AGENT)
                    .systemPrompt("You stream.")
                    .model("stream:fake")
                    .tools(Agent10.lookup())
                    .maxSteps(TOOL_STEPS + 1)
                    .build());
    String database = pgUrl.isBlank() ? "H2 (file)" : "PostgreSQL";
    String user = System.getenv().getOrDefault("HELIX_BENCH_PG_USER", "postgres");
    String password = System.getenv().getOrDefault("HELIX_BENCH_PG_PASSWORD", "postgres");
    List<Level> results = new ArrayList<>();
    try (BenchNode node =
        new BenchNode(
            Files.createTempDirectory("helix-capacity"),
            pgUrl.isBlank() ? "" : Bench.freshDatabase(pgUrl, user, password),
            pgUrl.isBlank() ? "sa" : user,
            pgUrl.isBlank() ? "" : password,
            "group-commit",
            agents,
            new ModelCatalog().register("stream", model))) {
      System.out.printf(
          "capacity on %s: per run %d tokens (first after 500 ms, 30/s), %d tool steps, one SSE"
              + " subscriber; %d cores, max heap %d MB%n",
          database,
          model.tokensPerRun(),
          TOOL_STEPS,
          Runtime.getRuntime().availableProcessors(),
          Runtime.getRuntime().maxMemory() >> 20);
      level(node, model, 20); // warm-up, not reported
      for (int runs : levels) {
        Level level = level(node, model, runs);
        results.add(level);
        System.out.printf(
            "  N=%d: p99 %.0f ms, %d errors, %.0f s%n", runs, level.p99Ms(), level.errors(),
            level.seconds());
        if (!level.passed() && !allLevels) {
          break;
        }
      }
    }
    print(database, results);
    System.exit(0);
  }

  private static Level level(BenchNode node, StreamingModel model, int runs) throws Exception {
    OperatingSystemMXBean os =
        (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long baseHeap = memory.getHeapMemoryUsage().getUsed();
    AtomicLong peakHeap = new AtomicLong(baseHeap);
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
    DatabaseCounters db0 = DatabaseCounters.read(node.database);
    long cpu0 = os.getProcessCpuTime();
    long start = System.nanoTime();
    URI base = URI.create("http://127.0.0.1:" + node.httpPort);
    List<CompletableFuture<RunResult>> results = new ArrayList<>();
    int errors = 0;
    try (SseReaders readers = new SseReaders()) {
      for (int i = 0; i < runs; i++) {
        AgentHandle handle =
            node.executor.execute(AGENT, "go").toCompletableFuture().get(30, TimeUnit.SECONDS);
        readers.subscribe(base, handle.runId());
        results.add(handle.result().toCompletableFuture());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60 + runs / 20);
      for (CompletableFuture<RunResult> result : results) {
        try {
          RunResult run =
              result.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          errors += run.status() == RunStatus.completed ? 0 : 1;
        } catch (Exception e) {
          errors++;
        }
      }
      while (readers.open() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      errors += readers.errors(model.tokensPerRun());
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpu =
          (os.getProcessCpuTime() - cpu0)
              / (seconds * 1e9 * Runtime.getRuntime().availableProcessors())
              * 100;
      DatabaseCounters db1 = DatabaseCounters.read(node.database);
      sampler.interrupt();
      long[] delays = readers.delays();
      Arrays.sort(delays);
      return new Level(
          runs,
          percentile(delays, 50),
          percentile(delays, 99),
          errors,
          cpu,
          peakHeap.get() >> 20,
          (peakHeap.get() - baseHeap) / 1024 / runs,
          db1.rowsSince(db0) / seconds,
          db0.transactions() < 0 ? -1 : db1.transactionsSince(db0) / seconds,
          seconds);
    }
  }

  private static double percentile(long[] sortedMicros, double p) {
    if (sortedMicros.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.min(sortedMicros.length - 1, Math.ceil(sortedMicros.length * p / 100) - 1);
    return sortedMicros[Math.max(0, index)] / 1000.0;
  }

  private static void print(String database, List<Level> levels) {
    System.out.println();
    System.out.println("| database | N runs | token p50 ms | token p99 ms | errors | CPU % (all cores)"
        + " | peak heap MB | peak heap/run KB | journal rows/s | DB commits/s | p99<250ms, no error |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    int capacity = 0;
    boolean allPassed = true;
    for (Level l : levels) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %.1f | %.1f | %d | %.0f | %d | %d | %.0f | %s | %s |%n",
          database,
          l.runs(),
          l.p50Ms(),
          l.p99Ms(),
          l.errors(),
          l.cpuPercent(),
          l.peakHeapMb(),
          l.heapPerRunKb(),
          l.journalRowsPerSecond(),
          l.commitsPerSecond() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", l.commitsPerSecond()),
          l.passed() ? "yes" : "no");
      allPassed &= l.passed();
      if (allPassed) {
        capacity = l.runs();
      }
    }
    System.out.println();
    System.out.println("capacity (largest N with p99 < 250 ms and no error): " + capacity);
  }
}
