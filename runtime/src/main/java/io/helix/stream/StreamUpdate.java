package io.helix.stream;

import io.helix.serialization.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a subscriber of {@link StreamEntity} receives, each naming the {@code subscription} it
 * belongs to. A subscription starts with {@link Live} or {@link CatchUp} (or {@link Deleted}):
 *
 * <ul>
 *   <li>{@link Live}: the stream holds the subscriber's offset in memory; it carries the chunks
 *       stored from there, {@link Chunks} follow for each append once durable, then {@link Ended}
 *       if it ends.
 *   <li>{@link CatchUp}: the offset is older than the chunks kept in memory; the subscriber reads
 *       them from the journal, from {@code fromSequenceNr} on, and subscribes again after them.
 * </ul>
 *
 * Chunks come in offset order without gaps, but a message between nodes may be lost: a subscriber
 * checks offsets and subscribes again from its next one when it sees a gap.
 */
public sealed interface StreamUpdate extends CborSerializable {

  long subscription();

  /**
   * Subscribed; {@code stream} is the entity, to watch for a move or crash; {@code stored} are the
   * chunks from the asked offset that were already durable.
   */
  record Live(long subscription, ActorRef<StreamCommand> stream, List<StreamChunk> stored)
      implements StreamUpdate {}

  /** Chunks in offset order, each durable. */
  record Chunks(long subscription, List<StreamChunk> chunks) implements StreamUpdate {}

  /** The stream has ended; {@code nextOffset} is one past its last chunk. */
  record Ended(long subscription, long nextOffset) implements StreamUpdate {}

  /** Read the journal from {@code fromSequenceNr}, then subscribe again. */
  record CatchUp(long subscription, long fromSequenceNr) implements StreamUpdate {}

  /** The stream was deleted after its retention period. */
  record Deleted(long subscription, long endedAt, long deletedAt) implements StreamUpdate {}
}
