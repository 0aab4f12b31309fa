package io.helix.stream;

import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.AbstractPersistentActor;
import org.apache.pekko.persistence.DeleteMessagesFailure;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsFailure;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.Recovery;
import org.apache.pekko.persistence.RecoveryCompleted;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what the journal holds of a deleted stream before its tombstone: the events (its chunks,
 * its tagged end) and the snapshots. A child of the stream's {@link StreamEntity} (see {@link
 * StreamPurges}), which it tells {@link StreamEntity.ChunksDeleted} before it stops.
 *
 * <p>A classic persistent actor because the typed API deletes events only through the retention
 * criteria an entity fixes when it starts (Pekko 1.x has no {@code snapshotWhen} that deletes). It
 * shares the entity's persistence id but never writes: it skips recovery (learning only the last
 * sequence number) and only deletes, so the entity remains the stream's single writer.
 */
final class StreamPurge extends AbstractPersistentActor {

  private static final Logger log = LoggerFactory.getLogger(StreamPurge.class);

  private final String persistenceId;
  private final long toSequenceNr;
  private final ActorRef<StreamCommand> entity;

  private StreamPurge(String persistenceId, long toSequenceNr, ActorRef<StreamCommand> entity) {
    this.persistenceId = persistenceId;
    this.toSequenceNr = toSequenceNr;
    this.entity = entity;
  }

  /** Deletes the events and snapshots of {@code persistenceId} up to {@code toSequenceNr}. */
  static Props props(String persistenceId, long toSequenceNr, ActorRef<StreamCommand> entity) {
    return Props.create(
        StreamPurge.class, () -> new StreamPurge(persistenceId, toSequenceNr, entity));
  }

  @Override
  public String persistenceId() {
    return persistenceId;
  }

  @Override
  public Recovery recovery() {
    return Recovery.none();
  }

  @Override
  public Receive createReceiveRecover() {
    return receiveBuilder()
        .match(
            RecoveryCompleted.class,
            recovered -> {
              if (toSequenceNr < 1) {
                done(null);
              } else {
                deleteMessages(toSequenceNr);
              }
            })
        .build();
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(
            DeleteMessagesSuccess.class,
            deleted ->
                deleteSnapshots(SnapshotSelectionCriteria.create(toSequenceNr, Long.MAX_VALUE)))
        .match(DeleteMessagesFailure.class, failed -> done(failed.cause()))
        .match(DeleteSnapshotsSuccess.class, deleted -> done(null))
        .match(
            DeleteSnapshotsFailure.class,
            failed -> {
              // the chunks are gone; an old snapshot holds none, only counters
              log.warn("deleting the old snapshots of {} failed", persistenceId, failed.cause());
              done(null);
            })
        .build();
  }

  private void done(Throwable failure) {
    entity.tell(new StreamEntity.ChunksDeleted(failure));
    getContext().stop(getSelf());
  }
}
