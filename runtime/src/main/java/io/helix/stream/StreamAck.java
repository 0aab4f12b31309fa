package io.helix.stream;

import io.helix.serialization.CborSerializable;

/**
 * A stream's answer to an {@link StreamCommand.Append} of an origin: it durably holds every chunk
 * of {@code origin} up to origin sequence {@code upTo} (-1: none). An ended or deleted stream takes
 * nothing more, and acknowledges everything it is sent.
 */
public record StreamAck(String streamId, String origin, long upTo) implements CborSerializable {}
