package io.helix.stream;

import io.helix.serialization.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** The protocol of {@link StreamEntity}. */
public sealed interface StreamCommand extends CborSerializable {

  /**
   * Appends chunks (offsets unassigned) in order; with {@code end} the stream then ends. Appends to
   * an ended stream are dropped, so a run that re-sends its last chunks after a crash is harmless.
   */
  record Append(List<StreamChunk> chunks, boolean end) implements StreamCommand {}

  /**
   * Sends {@code subscriber} every chunk from {@code fromOffset} on, first those stored, then live,
   * each once and in order, then {@link StreamUpdate.Ended}.
   */
  record Subscribe(long fromOffset, ActorRef<StreamUpdate> subscriber) implements StreamCommand {}

  record Unsubscribe(ActorRef<StreamUpdate> subscriber) implements StreamCommand {}

  /** Sent by the shard to stop a passivated entity. */
  enum Stop implements StreamCommand {
    INSTANCE
  }

  /** Asks to be passivated once idle and without subscribers. */
  enum IdleTimeout implements StreamCommand {
    INSTANCE
  }
}
