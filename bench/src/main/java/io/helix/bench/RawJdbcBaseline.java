package io.helix.bench;

import io.helix.persistence.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The physical limit beside the runtime: plain JDBC, one insert of a checkpoint-sized row and one
 * commit per checkpoint, as a hand-written durable loop would do it.
 */
final class RawJdbcBaseline {

  private static final int PAYLOAD_BYTES = 300;

  private final DatabaseSettings database;

  RawJdbcBaseline(DatabaseSettings database) throws SQLException {
    this.database = database;
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS bench_checkpoint");
      s.execute(
          database.dialect() == DatabaseSettings.Dialect.POSTGRESQL
              ? "CREATE TABLE bench_checkpoint (id BIGSERIAL PRIMARY KEY, run_id VARCHAR(64) NOT NULL,"
                  + " step INT NOT NULL, payload BYTEA NOT NULL)"
              : "CREATE TABLE bench_checkpoint (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
                  + " run_id VARCHAR(64) NOT NULL, step INT NOT NULL, payload VARBINARY NOT NULL)");
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(database.url(), database.user(), database.password());
  }

  /** Latencies (ns) of {@code runs} hand-written runs of {@value Agent10#COMMITS_PER_RUN} commits. */
  long[] runLatencies(int runs) throws SQLException {
    long[] latencies = new long[runs];
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement insert = insert(c)) {
        for (int run = 0; run < runs; run++) {
          long start = System.nanoTime();
          for (int step = 0; step < Agent10.COMMITS_PER_RUN; step++) {
            checkpoint(c, insert, "raw-" + run, step);
          }
          latencies[run] = System.nanoTime() - start;
        }
      }
    }
    return latencies;
  }

  /** Commits per second with {@code threads} writers, each committing every row. */
  double commitsPerSecond(int threads, int commitsPerThread) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicLong done = new AtomicLong();
    try {
      List<Future<?>> writers = new ArrayList<>();
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        writers.add(
            pool.submit(
                () -> {
                  try (Connection c = connect()) {
                    c.setAutoCommit(false);
                    try (PreparedStatement insert = insert(c)) {
                      for (int i = 0; i < commitsPerThread; i++) {
                        checkpoint(c, insert, "t" + thread, i);
                        done.incrementAndGet();
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> writer : writers) {
        writer.get();
      }
      return done.get() / ((System.nanoTime() - start) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  private static PreparedStatement insert(Connection c) throws SQLException {
    return c.prepareStatement("INSERT INTO bench_checkpoint (run_id, step, payload) VALUES (?, ?, ?)");
  }

  private static void checkpoint(Connection c, PreparedStatement insert, String run, int step)
      throws SQLException {
    byte[] payload = new byte[PAYLOAD_BYTES];
    ThreadLocalRandom.current().nextBytes(payload);
    insert.setString(1, run);
    insert.setInt(2, step);
    insert.setBytes(3, payload);
    insert.executeUpdate();
    c.commit();
  }
}
