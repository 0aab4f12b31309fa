package io.helix.stream;

import io.helix.serialization.CborSerializable;
import java.time.Duration;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * Deletes ended streams once their retention has passed. One per cluster (a singleton): every
 * {@code retention-sweep-interval} it reads the {@link StreamEntity#ENDED_TAG} events, oldest
 * first, and expires each stream that ended before the cutoff, stopping at the first one that did
 * not. A deleted stream's tagged event goes with its other events, so each sweep reads only streams
 * not yet deleted, and a stream missed once (a node down) is expired by the next sweep.
 */
final class StreamRetention {

  sealed interface Command extends CborSerializable {}

  enum Tick implements Command {
    INSTANCE
  }

  record SweepDone(int expired, String failure) implements Command {}

  // a few streams at a time: each purge recovers its entity, which reads that stream's journal
  private static final int PARALLELISM = 4;
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

  private StreamRetention() {}

  static Behavior<Command> create(
      ClusterSharding sharding, StreamSettings settings, CurrentEventsByTagQuery journal) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(
                      Tick.INSTANCE, settings.retentionSweepInterval());
                  return idle(context, sharding, settings, journal);
                }));
  }

  private static Behavior<Command> idle(
      ActorContext<Command> context,
      ClusterSharding sharding,
      StreamSettings settings,
      CurrentEventsByTagQuery journal) {
    return Behaviors.receive(Command.class)
        .onMessageEquals(
            Tick.INSTANCE,
            () -> {
              sweep(context, sharding, settings, journal);
              return sweeping(context, sharding, settings, journal);
            })
        .onMessage(SweepDone.class, done -> Behaviors.same())
        .build();
  }

  private static Behavior<Command> sweeping(
      ActorContext<Command> context,
      ClusterSharding sharding,
      StreamSettings settings,
      CurrentEventsByTagQuery journal) {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, Behaviors::same)
        .onMessage(
            SweepDone.class,
            done -> {
              if (done.failure() != null) {
                context.getLog().warn("sweeping expired streams failed: {}", done.failure());
              } else if (done.expired() > 0) {
                context.getLog().info("deleted {} stream(s) past their retention", done.expired());
              }
              return idle(context, sharding, settings, journal);
            })
        .build();
  }

  private static void sweep(
      ActorContext<Command> context,
      ClusterSharding sharding,
      StreamSettings settings,
      CurrentEventsByTagQuery journal) {
    long cutoff = System.currentTimeMillis() - settings.retention().toMillis();
    context.pipeToSelf(
        journal
            .currentEventsByTag(StreamEntity.ENDED_TAG, Offset.noOffset())
            .takeWhile(
                envelope ->
                    !(envelope.event() instanceof StreamEvent.StreamEnded ended)
                        || ended.timestamp() <= cutoff)
            .filter(envelope -> envelope.event() instanceof StreamEvent.StreamEnded)
            .mapAsync(
                PARALLELISM,
                envelope ->
                    sharding
                        .entityRefFor(
                            StreamEntity.TYPE_KEY,
                            PersistenceId.extractEntityId(envelope.persistenceId()))
                        .<Done>ask(StreamCommand.Expire::new, ASK_TIMEOUT)
                        // one that does not answer is tried again by the next sweep
                        .exceptionally(error -> Done.getInstance()))
            .runFold(0, (count, done) -> count + 1, context.getSystem()),
        (count, error) ->
            error == null
                ? new SweepDone(count, null)
                : new SweepDone(0, String.valueOf(error.getMessage())));
  }
}
