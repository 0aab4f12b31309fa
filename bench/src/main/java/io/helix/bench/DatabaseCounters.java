package io.helix.bench;

import io.helix.persistence.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Counters of the database a benchmark writes: the journal's highest ordering (rows written so
 * far) and, on PostgreSQL, the transaction ids assigned so far. Every transaction that writes gets
 * one, at once and exactly (unlike {@code pg_stat_database.xact_commit}, which backends flush up to
 * seconds late), so the difference of two readings is the writing transactions between them, plus
 * the one of the later reading.
 */
record DatabaseCounters(long journalRows, long transactions) {

  /** Reads the counters; {@code transactions} is -1 on H2. */
  static DatabaseCounters read(DatabaseSettings database) throws Exception {
    try (Connection c =
            DriverManager.getConnection(database.url(), database.user(), database.password());
        Statement s = c.createStatement()) {
      boolean postgres = database.dialect() == DatabaseSettings.Dialect.POSTGRESQL;
      long rows;
      try (ResultSet r =
          s.executeQuery(
              postgres
                  ? "SELECT COALESCE(MAX(ordering), 0) FROM event_journal"
                  : "SELECT COALESCE(MAX(\"ordering\"), 0) FROM PUBLIC.\"event_journal\"")) {
        r.next();
        rows = r.getLong(1);
      }
      long transactions = -1;
      if (postgres) {
        try (ResultSet r = s.executeQuery("SELECT txid_current()")) {
          r.next();
          transactions = r.getLong(1);
        }
      }
      return new DatabaseCounters(rows, transactions);
    }
  }

  /** Writing transactions from {@code earlier} to this reading (its own excluded); -1 on H2. */
  long transactionsSince(DatabaseCounters earlier) {
    return transactions < 0 ? -1 : transactions - earlier.transactions - 1;
  }

  long rowsSince(DatabaseCounters earlier) {
    return journalRows - earlier.journalRows;
  }
}
