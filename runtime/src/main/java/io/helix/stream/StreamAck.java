package io.helix.stream;

import io.helix.serialization.CborSerializable;

/**
 * A stream's answer to a {@link StreamCommand.AppendFrom}: it durably holds every chunk of {@code
 * origin} up to origin sequence {@code upTo} (-1: none). An ended (or deleted) stream takes nothing
 * more: it acknowledges everything it is sent, and says it has {@code ended}.
 */
public record StreamAck(String streamId, String origin, long upTo, boolean ended)
    implements CborSerializable {}
