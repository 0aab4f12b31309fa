package io.helix.serialization;

/**
 * Marker for every message, event and snapshot that crosses the wire or the journal.
 * Bound to Pekko's {@code jackson-cbor} serializer in the runtime's {@code reference.conf}.
 */
public interface CborSerializable {}
