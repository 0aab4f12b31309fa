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
        StreamCommand.Subscribe,
        StreamCommand.Unsubscribe,
        StreamCommand.GetStatus,
        StreamCommand.Expire,
        StreamCommand.Stop,
        StreamEntity.InternalCommand {

  /**
   * Appends chunks (offsets unassigned) in order; with {@code end} the stream then ends. Appends to
   * an ended stream are dropped, so a run that re-sends its last chunks after a crash is harmless.
   *
   * <p>With an {@code origin} (the sending run's id) the append is part of the run's hand-off
   * protocol (see {@link StreamHandOff}): {@code keys} holds each chunk's origin sequence, strictly
   * increasing; the stream appends only the chunks whose key is above the highest it holds of that
   * origin (so a re-sent or duplicated append adds nothing twice) and, once they are durable,
   * answers {@code replyTo} with a {@link StreamAck}. An append without chunks only asks for that
   * highest key. Without an origin (older senders), chunks are appended as they come, unanswered.
   *
   * @param origin the sending run's id; null for an append outside the protocol
   * @param keys the origin sequence of each chunk; empty without an origin
   * @param replyTo told what the stream holds of {@code origin} once the append is durable
   */
  record Append(
      List<StreamChunk> chunks,
      boolean end,
      String origin,
      List<Long> keys,
      ActorRef<StreamAck> replyTo)
      implements StreamCommand, CborSerializable {

    public Append {
      keys = keys == null ? List.of() : keys;
      if (origin != null && keys.size() != chunks.size()) {
        throw new IllegalArgumentException("an append of an origin has a key per chunk");
      }
    }

    /** An append outside the hand-off protocol: appended as it comes, never answered. */
    public Append(List<StreamChunk> chunks, boolean end) {
      this(chunks, end, null, List.of(), null);
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
