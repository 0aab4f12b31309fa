package io.helix.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.persistence.DatabaseSettings.Dialect;
import io.helix.persistence.readmodel.TestDatabase;
import io.helix.persistence.readmodel.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link GroupCommit} on real databases: writes that wait while a transaction is in flight go in
 * the next transaction together, with their tags and increasing orderings per id; a write that
 * fails (a duplicate sequence number) fails alone, its group's other writes are committed; when
 * the database is unreachable a group fails at once, without trying each of its writes again.
 */
class GroupCommitTest {

  @Test
  void groupsWaitingWritesAndIsolatesAFailingOneOnH2() throws Exception {
    TestDatabase db = TestDatabase.h2();
    groupsAndIsolates(db, Dialect.H2);
  }

  @Test
  void groupsWaitingWritesAndIsolatesAFailingOneOnPostgres() throws Exception {
    try (TestPostgres server = TestPostgres.start()) {
      groupsAndIsolates(server.newDatabase(), Dialect.POSTGRESQL);
    }
  }

  private static void groupsAndIsolates(TestDatabase db, Dialect dialect) throws Exception {
    CountDownLatch firstOpened = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> opened = new ArrayList<>();
    GroupCommit.Connections connections =
        () -> {
          Connection connection;
          try {
            connection = db.connect();
          } catch (Exception e) {
            throw new SQLException(e);
          }
          synchronized (opened) {
            opened.add(opened.size());
            if (opened.size() == 1) {
              // hold the first transaction until the next writes wait behind it
              firstOpened.countDown();
              await(release);
            }
          }
          return connection;
        };
    try (GroupCommit commit = new GroupCommit(connections, JournalWrites.of(dialect), 1, 1000, "test")) {
      CompletableFuture<Void> first = commit.write(List.of(row("a", 1, "t1")));
      assertTrue(firstOpened.await(10, TimeUnit.SECONDS));
      CompletableFuture<Void> b = commit.write(List.of(row("b", 1, "t1"), row("b", 2, "t2")));
      CompletableFuture<Void> duplicate = commit.write(List.of(row("a", 1, "t1")));
      CompletableFuture<Void> c = commit.write(List.of(row("c", 1)));
      release.countDown();
      first.get(10, TimeUnit.SECONDS);
      b.get(10, TimeUnit.SECONDS);
      c.get(10, TimeUnit.SECONDS);
      ExecutionException failed = assertThrows(ExecutionException.class, () -> duplicate.get(10, TimeUnit.SECONDS));
      assertTrue(failed.getCause() instanceof SQLException, failed.getCause().toString());
      // the first alone; then the three waiting ones in one transaction, which failed, then one
      // by one: 1 + 1 + 3 connections, 3 transactions committed (first, b, c)
      assertEquals(5, opened.size(), "connections opened");
      assertEquals(3, commit.transactions());
      assertEquals(4, commit.rowsWritten());
    }
    try (Connection connection = db.connect();
        ResultSet rows =
            connection
                .createStatement()
                .executeQuery(
                    "SELECT j.\"persistence_id\", j.\"sequence_number\", j.\"ordering\", t.\"tag\""
                        + " FROM \"event_journal\" j LEFT JOIN \"event_tag\" t ON t.\"event_id\" = j.\"ordering\""
                        + " ORDER BY j.\"ordering\"")) {
      List<String> written = new ArrayList<>();
      long lastB = 0;
      while (rows.next()) {
        written.add(rows.getString(1) + "/" + rows.getLong(2) + "/" + rows.getString(4));
        if (rows.getString(1).equals("b")) {
          assertTrue(rows.getLong(3) > lastB, "one id's events in increasing ordering");
          lastB = rows.getLong(3);
        }
      }
      assertEquals(List.of("a/1/t1", "b/1/t1", "b/2/t2", "c/1/null"), written);
    }
  }

  @Test
  void aGroupFailsAsOneWhenTheDatabaseIsUnreachable() throws Exception {
    CountDownLatch firstOpened = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
    GroupCommit.Connections down =
        () -> {
          if (opened.incrementAndGet() == 1) {
            firstOpened.countDown();
            await(release);
          }
          throw new java.sql.SQLTransientConnectionException("connection is not available", "08001");
        };
    try (GroupCommit commit = new GroupCommit(down, JournalWrites.of(Dialect.H2), 1, 1000, "test")) {
      CompletableFuture<Void> first = commit.write(List.of(row("a", 1)));
      assertTrue(firstOpened.await(10, TimeUnit.SECONDS));
      List<CompletableFuture<Void>> group =
          List.of(commit.write(List.of(row("b", 1))), commit.write(List.of(row("c", 1))),
              commit.write(List.of(row("d", 1))));
      release.countDown();
      assertThrows(ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS));
      for (CompletableFuture<Void> write : group) {
        ExecutionException failed =
            assertThrows(ExecutionException.class, () -> write.get(10, TimeUnit.SECONDS));
        assertTrue(failed.getCause() instanceof SQLException, failed.getCause().toString());
      }
      // the first, then the group of three once: not once more for each of its writes
      assertEquals(2, opened.get(), "connections asked for");
      assertEquals(0, commit.transactions());
    }
  }

  @Test
  void refusedRowsAreIntegrityConstraintsOnly() {
    assertTrue(GroupCommit.refusedRows(new SQLException("duplicate key", "23505")));
    assertTrue(
        GroupCommit.refusedRows(new RuntimeException(new SQLException("duplicate key", "23505"))));
    assertTrue(!GroupCommit.refusedRows(new SQLException("connection refused", "08001")));
    assertTrue(!GroupCommit.refusedRows(new IllegalStateException("no state")));
  }

  private static JournalRow row(String id, long sequenceNr, String... tags) {
    return new JournalRow(
        id, sequenceNr, "writer", 1L, "", 1, "m", new byte[] {1, 2, 3}, null, null, null, Set.of(tags));
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
