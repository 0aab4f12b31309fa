package io.helix.persistence.journal;

import com.typesafe.config.Config;
import io.helix.persistence.DatabaseSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;
import slick.jdbc.JdbcDataSource;

/**
 * Helix's journal: pekko-persistence-jdbc's tables, written by {@link GroupCommit} (the events of
 * all runs and streams of a node that wait at the same time share one transaction and, on
 * PostgreSQL, one round trip), read back with plain JDBC. It is the plugin {@code jdbc-journal}'s
 * class unless {@code helix.db.journal = pekko-jdbc}; pekko-persistence-jdbc's read journal, the
 * projections and the snapshot store read and write the same tables as before, on the same pool
 * (its shared database {@code default}).
 *
 * <p>As pekko-persistence-jdbc's journal does, it answers the highest sequence number of an id only
 * after that id's write in flight completes (a restarted actor may recover before its last write
 * did), and deletes by removing the rows below the highest deleted one and marking that one.
 */
public final class GroupCommitJournal extends AsyncWriteJournal {

  private static final String REPLAY =
      "SELECT "
          + JournalRow.COLUMNS
          + " FROM \"event_journal\" WHERE \"persistence_id\" = ? AND \"deleted\" = FALSE"
          + " AND \"sequence_number\" >= ? AND \"sequence_number\" <= ? ORDER BY \"sequence_number\"";
  private static final String HIGHEST =
      "SELECT MAX(\"sequence_number\") FROM \"event_journal\" WHERE \"persistence_id\" = ?"
          + " AND \"sequence_number\" <= ?";
  private static final String DELETE_BELOW =
      "DELETE FROM \"event_journal\" WHERE \"persistence_id\" = ? AND \"sequence_number\" < ?";
  private static final String MARK_DELETED =
      "UPDATE \"event_journal\" SET \"deleted\" = TRUE WHERE \"persistence_id\" = ?"
          + " AND \"sequence_number\" = ? AND \"deleted\" = FALSE";

  private final Serialization serialization = SerializationExtension.get(context().system());
  private final JdbcDataSource pool;
  private final GroupCommit groupCommit;
  private final ExecutorService reads;
  /** Each persistence id's write in flight, for {@link #doAsyncReadHighestSequenceNr}. */
  private final ConcurrentHashMap<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

  /** Created by Pekko persistence with the plugin's configuration ({@code jdbc-journal}). */
  public GroupCommitJournal(Config config) {
    Config helix = context().system().settings().config();
    SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(context().system());
    pool = slick.database(config).database().source();
    Config settings = helix.getConfig("helix.db.group-commit");
    groupCommit =
        new GroupCommit(
            pool::createConnection,
            JournalWrites.of(DatabaseSettings.fromConfig(helix).dialect()),
            settings.getInt("writers"),
            settings.getInt("max-rows"),
            "helix-journal");
    AtomicInteger threads = new AtomicInteger();
    reads =
        Executors.newFixedThreadPool(
            settings.getInt("reader-threads"),
            runnable -> {
              Thread thread = new Thread(runnable, "helix-journal-reader-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    long now = System.currentTimeMillis();
    List<Optional<Exception>> results = new ArrayList<>();
    List<JournalRow> rows = new ArrayList<>();
    String persistenceId = null;
    for (AtomicWrite write : messages) {
      persistenceId = write.persistenceId();
      try {
        List<JournalRow> serialized = new ArrayList<>();
        for (PersistentRepr repr : CollectionConverters.asJava(write.payload())) {
          serialized.add(JournalRow.of(repr, now, serialization));
        }
        rows.addAll(serialized);
        results.add(Optional.empty());
      } catch (Exception rejected) {
        // not serializable (Scala's Try.get throws its checked exceptions too): this write is
        // rejected, the others are written
        results.add(Optional.of(rejected));
      }
    }
    if (rows.isEmpty()) {
      return Future.successful(results);
    }
    CompletableFuture<Void> written = groupCommit.write(rows);
    String id = persistenceId;
    inFlight.put(id, written);
    written.whenComplete((ignored, failure) -> inFlight.remove(id, written));
    return FutureConverters.asScala(written.thenApply(ignored -> results));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId, long fromSequenceNr, long toSequenceNr, long max, Consumer<PersistentRepr> replay) {
    if (max <= 0 || fromSequenceNr > toSequenceNr) {
      return Future.successful(null);
    }
    return read(
        connection -> {
          try (PreparedStatement query = connection.prepareStatement(REPLAY)) {
            query.setString(1, persistenceId);
            query.setLong(2, fromSequenceNr);
            query.setLong(3, toSequenceNr);
            if (max < Integer.MAX_VALUE) {
              query.setMaxRows((int) max);
            }
            try (ResultSet rows = query.executeQuery()) {
              while (rows.next()) {
                replay.accept(JournalRow.toRepr(rows, serialization));
              }
            }
          }
          return null;
        });
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    CompletableFuture<Void> pending = inFlight.get(persistenceId);
    CompletableFuture<Object> after =
        pending == null ? CompletableFuture.completedFuture(null) : pending.handle((v, e) -> null);
    return FutureConverters.asScala(
        after.thenCompose(
            ignored ->
                FutureConverters.asJava(read(connection -> highest(connection, persistenceId, Long.MAX_VALUE)))));
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return read(
        connection -> {
          connection.setAutoCommit(false);
          try {
            long highest = highest(connection, persistenceId, toSequenceNr);
            try (PreparedStatement delete = connection.prepareStatement(DELETE_BELOW);
                PreparedStatement mark = connection.prepareStatement(MARK_DELETED)) {
              delete.setString(1, persistenceId);
              delete.setLong(2, highest);
              delete.executeUpdate();
              mark.setString(1, persistenceId);
              mark.setLong(2, highest);
              mark.executeUpdate();
            }
            connection.commit();
          } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
          } finally {
            connection.setAutoCommit(true);
          }
          return null;
        });
  }

  @Override
  public void postStop() throws Exception {
    groupCommit.close();
    reads.shutdown();
    super.postStop();
  }

  private static long highest(Connection connection, String persistenceId, long atMost)
      throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(HIGHEST)) {
      query.setString(1, persistenceId);
      query.setLong(2, atMost);
      try (ResultSet row = query.executeQuery()) {
        return row.next() ? row.getLong(1) : 0L;
      }
    }
  }

  private interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** {@code work} on a connection of the pool, on the reader threads (JDBC blocks). */
  private <T> Future<T> read(Work<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    reads.execute(
        () -> {
          try (Connection connection = pool.createConnection()) {
            result.complete(work.run(connection));
          } catch (Exception | LinkageError e) {
            result.completeExceptionally(e);
          }
        });
    return FutureConverters.asScala(result);
  }
}
