package io.helix.persistence.journal;

import io.helix.persistence.DatabaseSettings.Dialect;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a group of journal rows, of any number of persistence ids, in one transaction: the way
 * each database does it in the fewest round trips.
 *
 * <ul>
 *   <li>PostgreSQL: one statement, on autocommit, so one round trip whatever the group's size: the
 *       rows go in as arrays ({@code unnest}), the journal insert returns the {@code ordering}s the
 *       sequence gave them, and the tags are inserted from those in the same statement. The rows
 *       are inserted in the group's order ({@code WITH ORDINALITY ... ORDER BY}), so one
 *       persistence id's events get increasing {@code ordering}s, as the read journal expects.
 *   <li>H2 (embedded, no network): an insert per row with its generated {@code ordering}, the tags
 *       in one batch, one commit for the group.
 * </ul>
 */
abstract sealed class JournalWrites {

  static JournalWrites of(Dialect dialect) {
    return dialect == Dialect.POSTGRESQL ? new Postgres() : new H2();
  }

  /** Writes {@code rows} atomically on {@code connection}: all or none. */
  abstract void write(Connection connection, List<JournalRow> rows) throws SQLException;

  private static final class Postgres extends JournalWrites {

    private static final String WRITE =
        """
        WITH batch AS (
          SELECT * FROM unnest(?::varchar[], ?::bigint[], ?::varchar[], ?::bigint[], ?::varchar[],
                               ?::integer[], ?::varchar[], ?::bytea[], ?::integer[], ?::varchar[],
                               ?::bytea[]) WITH ORDINALITY
            AS r(persistence_id, sequence_number, writer, write_timestamp, adapter_manifest,
                 event_ser_id, event_ser_manifest, event_payload, meta_ser_id, meta_ser_manifest,
                 meta_payload, position)),
        written AS (
          INSERT INTO event_journal (persistence_id, sequence_number, writer, write_timestamp,
              adapter_manifest, event_ser_id, event_ser_manifest, event_payload, meta_ser_id,
              meta_ser_manifest, meta_payload)
          SELECT persistence_id, sequence_number, writer, write_timestamp, adapter_manifest,
              event_ser_id, event_ser_manifest, event_payload, meta_ser_id, meta_ser_manifest,
              meta_payload
          FROM batch ORDER BY position
          RETURNING ordering, persistence_id, sequence_number)
        INSERT INTO event_tag (event_id, tag)
        SELECT w.ordering, t.tag
        FROM written w
        JOIN unnest(?::varchar[], ?::bigint[], ?::varchar[]) AS t(persistence_id, sequence_number, tag)
          ON w.persistence_id = t.persistence_id AND w.sequence_number = t.sequence_number
        """;

    @Override
    void write(Connection connection, List<JournalRow> rows) throws SQLException {
      int n = rows.size();
      Object[] ids = new Object[n], seqs = new Object[n], writers = new Object[n], times = new Object[n];
      Object[] adapters = new Object[n], serIds = new Object[n], manifests = new Object[n];
      byte[][] payloads = new byte[n][];
      Object[] metaIds = new Object[n], metaManifests = new Object[n];
      byte[][] metas = new byte[n][];
      List<Object> tagIds = new ArrayList<>(), tagSeqs = new ArrayList<>(), tags = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        JournalRow row = rows.get(i);
        ids[i] = row.persistenceId();
        seqs[i] = row.sequenceNr();
        writers[i] = row.writer();
        times[i] = row.timestamp();
        adapters[i] = row.adapterManifest();
        serIds[i] = row.serializerId();
        manifests[i] = row.serializerManifest();
        payloads[i] = row.payload();
        metaIds[i] = row.metaSerializerId();
        metaManifests[i] = row.metaSerializerManifest();
        metas[i] = row.metaPayload();
        for (String tag : row.tags()) {
          tagIds.add(row.persistenceId());
          tagSeqs.add(row.sequenceNr());
          tags.add(tag);
        }
      }
      connection.setAutoCommit(true);
      try (PreparedStatement write = connection.prepareStatement(WRITE)) {
        Array[] arrays = {
          connection.createArrayOf("varchar", ids),
          connection.createArrayOf("bigint", seqs),
          connection.createArrayOf("varchar", writers),
          connection.createArrayOf("bigint", times),
          connection.createArrayOf("varchar", adapters),
          connection.createArrayOf("integer", serIds),
          connection.createArrayOf("varchar", manifests),
          connection.createArrayOf("bytea", payloads),
          connection.createArrayOf("integer", metaIds),
          connection.createArrayOf("varchar", metaManifests),
          connection.createArrayOf("bytea", metas),
          connection.createArrayOf("varchar", tagIds.toArray()),
          connection.createArrayOf("bigint", tagSeqs.toArray()),
          connection.createArrayOf("varchar", tags.toArray())
        };
        for (int i = 0; i < arrays.length; i++) {
          write.setArray(i + 1, arrays[i]);
        }
        write.executeUpdate();
      }
    }
  }

  private static final class H2 extends JournalWrites {

    private static final String INSERT_EVENT =
        "INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\","
            + " \"write_timestamp\", \"adapter_manifest\", \"event_ser_id\", \"event_ser_manifest\","
            + " \"event_payload\", \"meta_ser_id\", \"meta_ser_manifest\", \"meta_payload\")"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_TAG =
        "INSERT INTO \"event_tag\" (\"event_id\", \"tag\") VALUES (?, ?)";

    @Override
    void write(Connection connection, List<JournalRow> rows) throws SQLException {
      connection.setAutoCommit(false);
      try (PreparedStatement events =
              connection.prepareStatement(INSERT_EVENT, new String[] {"ordering"});
          PreparedStatement tags = connection.prepareStatement(INSERT_TAG)) {
        boolean tagged = false;
        for (JournalRow row : rows) {
          events.setString(1, row.persistenceId());
          events.setLong(2, row.sequenceNr());
          events.setString(3, row.writer());
          events.setLong(4, row.timestamp());
          events.setString(5, row.adapterManifest());
          events.setInt(6, row.serializerId());
          events.setString(7, row.serializerManifest());
          events.setBytes(8, row.payload());
          events.setObject(9, row.metaSerializerId());
          events.setString(10, row.metaSerializerManifest());
          events.setBytes(11, row.metaPayload());
          events.executeUpdate();
          if (row.tags().isEmpty()) {
            continue;
          }
          long ordering;
          try (ResultSet keys = events.getGeneratedKeys()) {
            if (!keys.next()) {
              throw new SQLException("no ordering generated for " + row.persistenceId());
            }
            ordering = keys.getLong(1);
          }
          for (String tag : row.tags()) {
            tags.setLong(1, ordering);
            tags.setString(2, tag);
            tags.addBatch();
            tagged = true;
          }
        }
        if (tagged) {
          tags.executeBatch();
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  private JournalWrites() {}
}
