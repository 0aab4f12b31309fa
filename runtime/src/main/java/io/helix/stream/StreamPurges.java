package io.helix.stream;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The purges of one entity: at most one at a time, a watched child, whose end the entity learns as
 * {@link StreamEntity.ChunksDeleted}, also should it stop before it is done. Whoever asked for a
 * purge meanwhile is told when it ends. Mutable, owned by the entity.
 */
final class StreamPurges {

  private final ActorContext<StreamCommand> entity;
  private final List<ActorRef<Done>> waiters = new ArrayList<>();
  private org.apache.pekko.actor.ActorRef running;
  private int started;

  StreamPurges(ActorContext<StreamCommand> entity) {
    this.entity = entity;
  }

  boolean inProgress() {
    return running != null;
  }

  /**
   * Deletes the events and snapshots of {@code persistenceId} up to {@code toSequenceNr}, unless a
   * purge is in progress; {@code replyTo} is told when it ends.
   */
  void start(String persistenceId, long toSequenceNr, ActorRef<Done> replyTo) {
    waiters.add(replyTo);
    if (running == null) {
      running =
          Adapter.actorOf(
              entity,
              StreamPurge.props(persistenceId, toSequenceNr, entity.getSelf()),
              "purge-" + ++started);
      entity.watchWith(
          Adapter.toTyped(running),
          new StreamEntity.ChunksDeleted(
              new IllegalStateException("the purge stopped before it was done")));
    }
  }

  /**
   * On {@link StreamEntity.ChunksDeleted}: whether it ends the purge in progress (else it comes
   * late, from one that ended); if so, tells whoever asked.
   */
  boolean ended() {
    if (running == null) {
      return false;
    }
    entity.unwatch(Adapter.toTyped(running));
    running = null;
    waiters.forEach(replyTo -> replyTo.tell(Done.getInstance()));
    waiters.clear();
    return true;
  }
}
