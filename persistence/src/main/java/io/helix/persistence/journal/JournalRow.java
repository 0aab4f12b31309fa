package io.helix.persistence.journal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One row of {@code event_journal} and its tags, laid out as pekko-persistence-jdbc 1.1 lays them
 * out (the event itself serialized, not its {@link PersistentRepr}; tags in {@code event_tag}), so
 * that its read journal, the projections, the erasure and journals written by earlier releases all
 * stay as they are.
 */
record JournalRow(
    String persistenceId,
    long sequenceNr,
    String writer,
    long timestamp,
    String adapterManifest,
    int serializerId,
    String serializerManifest,
    byte[] payload,
    Integer metaSerializerId,
    String metaSerializerManifest,
    byte[] metaPayload,
    Set<String> tags) {

  /** The columns selected to read a row back, in {@link #toRepr}'s order. */
  static final String COLUMNS =
      "\"persistence_id\", \"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\","
          + " \"event_ser_id\", \"event_ser_manifest\", \"event_payload\", \"meta_ser_id\","
          + " \"meta_ser_manifest\", \"meta_payload\"";

  /** {@code repr} serialized as written at {@code now}; its {@link Tagged} tags go to {@link #tags}. */
  static JournalRow of(PersistentRepr repr, long now, Serialization serialization) {
    Object payload = repr.payload();
    Set<String> tags = Set.of();
    if (payload instanceof Tagged tagged) {
      payload = tagged.payload();
      tags = Set.copyOf(CollectionConverters.asJava(tagged.tags()));
    }
    Serialized event = serialize(payload, serialization);
    Serialized meta =
        repr.metadata().isDefined() ? serialize(repr.metadata().get(), serialization) : null;
    return new JournalRow(
        repr.persistenceId(),
        repr.sequenceNr(),
        repr.writerUuid(),
        now,
        repr.manifest(),
        event.id,
        event.manifest,
        event.bytes,
        meta == null ? null : meta.id,
        meta == null ? null : meta.manifest,
        meta == null ? null : meta.bytes,
        tags);
  }

  /** The row at {@code rows}' cursor, selected with {@link #COLUMNS}, as the journal replays it. */
  static PersistentRepr toRepr(ResultSet rows, Serialization serialization) throws SQLException {
    Object payload =
        serialization.deserialize(rows.getBytes(8), rows.getInt(6), rows.getString(7)).get();
    PersistentRepr repr =
        PersistentRepr.apply(
            payload, rows.getLong(2), rows.getString(1), rows.getString(5), false, null, rows.getString(3));
    byte[] meta = rows.getBytes(11);
    int metaSerializer = rows.getInt(9);
    if (meta != null && !rows.wasNull()) {
      String manifest = rows.getString(10);
      repr =
          repr.withMetadata(
              serialization.deserialize(meta, metaSerializer, manifest == null ? "" : manifest).get());
    }
    return repr.withTimestamp(rows.getLong(4));
  }

  private record Serialized(int id, String manifest, byte[] bytes) {}

  private static Serialized serialize(Object value, Serialization serialization) {
    Serializer serializer = serialization.findSerializerFor(value);
    return new Serialized(
        serializer.identifier(),
        Serializers.manifestFor(serializer, value),
        serialization.serialize(value).get());
  }
}
