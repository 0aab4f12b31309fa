package io.helix.stream;

import io.helix.serialization.CborSerializable;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/** The protocol of {@link StreamEntity}. */
public sealed interface StreamCommand extends CborSerializable {

  /**
   * Appends chunks (offsets unassigned) in order; with {@code end} the stream then ends. Appends to
   * an ended stream are dropped, so a run that re-sends its last chunks after a crash is harmless.
   */
  record Append(List<StreamChunk> chunks, boolean end) implements StreamCommand {}

  /**
   * Subscribes {@code subscriber} from {@code fromOffset} (see {@link StreamUpdate} for what it
   * gets). Every update names {@code subscription}, so the subscriber can tell a stale update of an
   * earlier subscription from a current one. Subscribing again replaces the earlier subscription.
   */
  record Subscribe(long fromOffset, ActorRef<StreamUpdate> subscriber, long subscription)
      implements StreamCommand {}

  record Unsubscribe(ActorRef<StreamUpdate> subscriber) implements StreamCommand {}

  /** Answers the stream's {@link StreamStatus}. */
  record GetStatus(ActorRef<StreamStatus> replyTo) implements StreamCommand {}

  /**
   * Sent by the retention sweep: deletes the stream's chunks if it ended at least {@code
   * helix.stream.retention} ago, leaving a tombstone so readers learn it is gone. Answered once
   * done, or at once when there is nothing to do.
   */
  record Expire(ActorRef<Done> replyTo) implements StreamCommand {}

  /** Sent by the shard to stop a passivated entity. */
  enum Stop implements StreamCommand {
    INSTANCE
  }

  /** Asks to be passivated once idle and without subscribers. */
  enum IdleTimeout implements StreamCommand {
    INSTANCE
  }
}
