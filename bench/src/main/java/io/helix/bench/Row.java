package io.helix.bench;

import java.util.List;
import java.util.Locale;

/**
 * One line of the agent-10 results; {@code journalRowsPerRun} and {@code commitsPerRun} are -1
 * where not counted (commits: PostgreSQL only). The DBOS peer reads these lines back from the
 * JSON by their field names.
 */
record Row(
    String database,
    String path,
    int concurrency,
    int runs,
    double medianMs,
    double p99Ms,
    double runsPerSecond,
    double checkpointsPerSecond,
    String versusRaw,
    double journalRowsPerRun,
    double commitsPerRun) {

  /** A measured line from its runs' latencies (ns). */
  static Row of(String db, String path, int concurrency, long[] latencies,
      double runsPerSecond, double checkpointsPerSecond, String ratio) {
    return new Row(db, path, concurrency, latencies.length, Bench.percentile(latencies, 50),
        Bench.percentile(latencies, 99), runsPerSecond, checkpointsPerSecond, ratio, -1, -1);
  }

  /** With the journal rows and (PostgreSQL) database commits of its runs; -1: not counted. */
  Row counted(long journalRows, long commits) {
    return new Row(database, path, concurrency, runs, medianMs, p99Ms, runsPerSecond,
        checkpointsPerSecond, versusRaw, (double) journalRows / runs,
        commits < 0 ? -1 : (double) commits / runs);
  }

  /** The lines as a Markdown table. */
  static String table(List<Row> rows) {
    StringBuilder table = new StringBuilder();
    table.append(
        "| database | path | concurrency | runs | median ms | p99 ms | runs/s | checkpoints/s | vs raw"
            + " | journal rows/run | DB commits/run |\n");
    table.append("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
    for (Row row : rows) {
      table.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %d | %.2f | %.2f | %.1f | %.0f | %s | %s | %s |%n",
              row.database, row.path, row.concurrency, row.runs, row.medianMs, row.p99Ms,
              row.runsPerSecond, row.checkpointsPerSecond, row.versusRaw,
              counter(row.journalRowsPerRun), counter(row.commitsPerRun)));
    }
    return table.toString();
  }

  private static String counter(double value) {
    return value < 0 ? "–" : String.format(Locale.ROOT, "%.1f", value);
  }
}
