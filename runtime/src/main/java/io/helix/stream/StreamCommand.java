package io.helix.stream;

import io.helix.serialization.CborSerializable;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The protocol of {@link StreamEntity}. Its records cross nodes, so each is {@link
 * CborSerializable}; the entity's messages to itself ({@link StreamEntity.InternalCommand}) are
 * local and never serialized.
 */
public sealed interface StreamCommand
    permits StreamCommand.Append,
        StreamCommand.AppendFrom,
        StreamCommand.Subscribe,
        StreamCommand.Unsubscribe,
        StreamCommand.GetStatus,
        StreamCommand.Expire,
        StreamCommand.Stop,
        StreamEntity.InternalCommand {

  /**
   * Appends chunks (offsets unassigned) in order, as they come, unanswered; with {@code end} the
   * stream then ends. Appends to an ended stream are dropped. Runs hand their chunks over with
   * {@link AppendFrom} instead.
   */
  record Append(List<StreamChunk> chunks, boolean end) implements StreamCommand, CborSerializable {}

  /**
   * A run's append in the hand-off protocol (see {@link StreamHandOff}): {@code keys} holds each
   * chunk's origin sequence, strictly increasing; the stream appends only the chunks whose key is
   * above the highest it holds of {@code origin} (so a re-sent or duplicated append adds nothing
   * twice) and, once they are durable, answers {@code replyTo} with a {@link StreamAck}. Without
   * chunks it only asks for that highest key. A release before this protocol does not know the
   * type and drops it: the run re-sends until its stream runs on a node that knows it.
   *
   * @param origin the sending run's id
   * @param keys the origin sequence of each chunk
   * @param replyTo told what the stream holds of {@code origin} once the append is durable
   */
  record AppendFrom(
      String origin,
      List<StreamChunk> chunks,
      List<Long> keys,
      boolean end,
      ActorRef<StreamAck> replyTo)
      implements StreamCommand, CborSerializable {

    public AppendFrom {
      chunks = chunks == null ? List.of() : chunks;
      keys = keys == null ? List.of() : keys;
      if (keys.size() != chunks.size()) {
        throw new IllegalArgumentException("an append of a run has a key per chunk");
      }
    }
  }

  /**
   * Subscribes {@code subscriber} from {@code fromOffset} (see {@link StreamUpdate} for what it
   * gets). Every update names {@code subscription}, so the subscriber can tell a stale update of an
   * earlier subscription from a current one. Subscribing again replaces the earlier subscription.
   */
  record Subscribe(long fromOffset, ActorRef<StreamUpdate> subscriber, long subscription)
      implements StreamCommand, CborSerializable {}

  record Unsubscribe(ActorRef<StreamUpdate> subscriber)
      implements StreamCommand, CborSerializable {}

  /** Answers the stream's {@link StreamStatus}. */
  record GetStatus(ActorRef<StreamStatus> replyTo) implements StreamCommand, CborSerializable {}

  /**
   * Sent by the retention sweep: deletes the stream's chunks if it ended at least {@code
   * helix.stream.retention} ago, leaving a tombstone so readers learn it is gone. Answered once
   * done, or at once when there is nothing to do.
   */
  record Expire(ActorRef<Done> replyTo) implements StreamCommand, CborSerializable {}

  /** Sent by the shard to stop a passivated entity. */
  enum Stop implements StreamCommand, CborSerializable {
    INSTANCE
  }
}
