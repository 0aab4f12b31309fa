package io.helix.persistence.journal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: the writes of every run and stream of a node, whatever their persistence ids, share
 * transactions. Each of {@code writers} threads takes every write waiting (up to {@code maxRows}
 * rows) and commits them in one transaction; while one transaction is in flight the next group
 * gathers, so under load a commit carries many events and at concurrency 1 a write waits for
 * nothing but its own round trip (no timer, no window).
 *
 * <p>Why it is safe to mix persistence ids: a persistent actor has at most one write in flight
 * (Pekko's typed persistence stashes commands until its events are written), so no two groups ever
 * hold events of one persistence id that could commit out of order; the primary key {@code
 * (persistence_id, sequence_number)} refuses a second writer of the same id. A group that fails is
 * written again one write at a time when the database refused rows (an integrity constraint), so
 * one write's failure (a second writer of an id, say) fails that write alone and not its neighbours
 * in the group; when the database is unreachable the group fails at once, as one.
 *
 * <p>The threads block on JDBC; they are this class's own, never an actor's or a dispatcher's.
 */
final class GroupCommit implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

  /** One write of one persistence id: its rows and who waits for them. */
  record Write(List<JournalRow> rows, CompletableFuture<Void> done) {}

  private final LinkedBlockingQueue<Write> queue = new LinkedBlockingQueue<>();
  /** Where connections come from: the journal's pool. */
  interface Connections {
    Connection open() throws SQLException;
  }

  private final Connections connections;
  private final JournalWrites writes;
  private final int maxRows;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong transactions = new AtomicLong();
  private final AtomicLong rowsWritten = new AtomicLong();
  private volatile boolean closed;

  GroupCommit(Connections connections, JournalWrites writes, int writers, int maxRows, String name) {
    this.connections = connections;
    this.writes = writes;
    this.maxRows = maxRows;
    for (int i = 0; i < writers; i++) {
      Thread thread = new Thread(this::loop, name + "-writer-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  /** Queues {@code rows} (one persistence id's, in order); completes once they are committed. */
  CompletableFuture<Void> write(List<JournalRow> rows) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new IllegalStateException("the journal is stopped"));
      return done;
    }
    queue.add(new Write(rows, done));
    return done;
  }

  /** Transactions committed so far, and rows in them: their ratio is the group's mean size. */
  long transactions() {
    return transactions.get();
  }

  long rowsWritten() {
    return rowsWritten.get();
  }

  private void loop() {
    List<Write> group = new ArrayList<>();
    while (!closed) {
      Write first;
      try {
        // a timeout, not an interrupt, ends the loop: an interrupt closes H2's file channel
        first = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        break;
      }
      if (first == null) {
        continue;
      }
      group.add(first);
      int rows = group.get(0).rows().size();
      Write next;
      while (rows < maxRows && (next = queue.poll()) != null) {
        group.add(next);
        rows += next.rows().size();
      }
      commit(group);
      group.clear();
    }
    failAll(group);
  }

  private void commit(List<Write> group) {
    List<JournalRow> rows = new ArrayList<>();
    for (Write write : group) {
      rows.addAll(write.rows());
    }
    try {
      writeRows(rows);
      group.forEach(write -> write.done().complete(null));
    } catch (SQLException | RuntimeException e) {
      if (group.size() == 1 || !refusedRows(e)) {
        // one write, or the database is not there: the group fails as one (writing its writes
        // one by one would only wait for the database again, once each)
        group.forEach(write -> write.done().completeExceptionally(e));
        return;
      }
      log.debug("a group of {} writes failed, writing them one by one: {}", group.size(), e.toString());
      for (Write write : group) {
        try {
          writeRows(write.rows());
          write.done().complete(null);
        } catch (SQLException | RuntimeException alone) {
          write.done().completeExceptionally(alone);
        }
      }
    }
  }

  /**
   * Whether the database refused rows (an integrity constraint: SQLSTATE class 23, as a duplicate
   * sequence number of a second writer), which may be one write's doing, rather than failing as a
   * whole (connection, timeout).
   */
  static boolean refusedRows(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        for (SQLException next = sql; next != null; next = next.getNextException()) {
          if (next.getSQLState() != null && next.getSQLState().startsWith("23")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private void writeRows(List<JournalRow> rows) throws SQLException {
    try (Connection connection = connections.open()) {
      writes.write(connection, rows);
    }
    transactions.incrementAndGet();
    rowsWritten.addAndGet(rows.size());
  }

  private void failAll(List<Write> held) {
    List<Write> left = new ArrayList<>(held);
    queue.drainTo(left);
    left.forEach(
        write -> write.done().completeExceptionally(new IllegalStateException("the journal is stopped")));
  }

  /** Stops the writers: a transaction in flight completes; writes still queued fail. */
  @Override
  public void close() {
    closed = true;
    for (Thread thread : threads) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    failAll(List.of());
  }
}
