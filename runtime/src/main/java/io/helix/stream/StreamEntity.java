package io.helix.stream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.DeleteEventsCompleted;
import org.apache.pekko.persistence.typed.DeleteEventsFailed;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One stream: assigns each appended chunk its offset, persists chunks in batches (one journal event
 * per append), and pushes them to subscribers once durable, so an offset a client has seen always
 * names the same chunk, also after a crash.
 *
 * <p>Memory stays bounded: the state is a few counters and a sparse offset index, and only the
 * newest {@code helix.stream.tail-size} chunks are kept for subscribers that join late; one that
 * asks for older chunks is told to read them from the journal first ({@link StreamUpdate.CatchUp}).
 * Each subscriber has its own next offset; the entity only tells, it never waits for one, so a slow
 * subscriber cannot slow the writer or the others (its own bounded buffer overflows instead, see
 * {@link Streams#subscribe}).
 *
 * <p>An ended stream is deleted after {@code helix.stream.retention}: on {@link
 * StreamCommand.Expire} the entity restarts in purge mode, whose retention criteria delete every
 * event before the tombstone it persists (the typed API deletes events only through retention).
 */
public final class StreamEntity
    extends EventSourcedBehavior<StreamCommand, StreamEvent, StreamState> {

  public static final EntityTypeKey<StreamCommand> TYPE_KEY =
      EntityTypeKey.create(StreamCommand.class, "Stream");

  /** The tag of {@link StreamEvent.StreamEnded}, which the retention sweep queries. */
  public static final String ENDED_TAG = "helix-stream-ended";

  /** The journal's id of a stream. */
  public static String persistenceId(String streamId) {
    return PersistenceId.of(TYPE_KEY.name(), streamId).id();
  }

  private final String streamId;
  private final ActorContext<StreamCommand> context;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final StreamSettings settings;
  // an ended stream leaves memory sooner (see helix.stream.ended-idle-timeout)
  private boolean ended;
  private final StreamTail tail;
  // set before a restart into purge mode; survives the restart (see create)
  private final AtomicReference<ActorRef<Done>> purge;
  private final boolean purging;
  private boolean tombstoned;
  // Subscribers are connections, not state: they subscribe again with their offset after a move.
  private final Map<ActorRef<StreamUpdate>, Subscriber> subscribers = new HashMap<>();

  /** A live subscriber: its subscription and the next offset it has not been sent. */
  private static final class Subscriber {
    final long subscription;
    long next;

    Subscriber(long subscription, long next) {
      this.subscription = subscription;
      this.next = next;
    }
  }

  /** Thrown to restart the entity in purge mode; not an error. */
  private static final class PurgeRestart extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PurgeRestart() {
      super("restarting to delete an expired stream", null, false, false);
    }
  }

  public static Behavior<StreamCommand> create(
      EntityContext<StreamCommand> entityContext, StreamSettings settings) {
    // one per entity start, outliving the restart into purge mode
    AtomicReference<ActorRef<Done>> purge = new AtomicReference<>();
    return Behaviors.supervise(
            Behaviors.<StreamCommand>setup(
                context -> {
                  context.setReceiveTimeout(
                      settings.idleTimeout(), StreamCommand.IdleTimeout.INSTANCE);
                  return new StreamEntity(entityContext, context, settings, purge);
                }))
        .onFailure(PurgeRestart.class, SupervisorStrategy.restart().withLoggingEnabled(false));
  }

  private StreamEntity(
      EntityContext<StreamCommand> entityContext,
      ActorContext<StreamCommand> context,
      StreamSettings settings,
      AtomicReference<ActorRef<Done>> purge) {
    super(PersistenceId.of(TYPE_KEY.name(), entityContext.getEntityId()));
    this.streamId = entityContext.getEntityId();
    this.context = context;
    this.shard = entityContext.getShard();
    this.settings = settings;
    this.tail = new StreamTail(settings.effectiveTailSize());
    this.purge = purge;
    this.purging = purge.get() != null;
  }

  @Override
  public StreamState emptyState() {
    return StreamState.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    if (purging) {
      // a snapshot at the tombstone, then every event before it deleted
      return RetentionCriteria.snapshotEvery(1, 1).withDeleteEventsOnSnapshot();
    }
    // snapshots keep recovery short; the events stay, readers catch up from them
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public Set<String> tagsFor(StreamEvent event) {
    return event instanceof StreamEvent.StreamEnded ? Set.of(ENDED_TAG) : Set.of();
  }

  @Override
  public CommandHandler<StreamCommand, StreamEvent, StreamState> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(StreamCommand.Append.class, this::onAppend)
        .onCommand(StreamCommand.Subscribe.class, this::onSubscribe)
        .onCommand(StreamCommand.Unsubscribe.class, this::onUnsubscribe)
        .onCommand(StreamCommand.GetStatus.class, this::onGetStatus)
        .onCommand(StreamCommand.Expire.class, this::onExpire)
        .onCommand(StreamCommand.IdleTimeout.class, this::onIdle)
        .onCommand(StreamCommand.Stop.class, (state, stop) -> Effect().stop())
        .build();
  }

  // ---- appending

  private Effect<StreamEvent, StreamState> onAppend(
      StreamState state, StreamCommand.Append append) {
    if (state.ended()) {
      return Effect().none();
    }
    List<StreamEvent> events = new ArrayList<>(2);
    if (!append.chunks().isEmpty()) {
      List<StreamChunk> numbered = new ArrayList<>(append.chunks().size());
      long offset = state.nextOffset();
      for (StreamChunk chunk : append.chunks()) {
        numbered.add(chunk.withSeq(offset++));
      }
      events.add(new StreamEvent.ChunksAppended(List.copyOf(numbered)));
    }
    if (append.end()) {
      events.add(new StreamEvent.StreamEnded(System.currentTimeMillis()));
    }
    if (events.isEmpty()) {
      return Effect().none();
    }
    List<StreamChunk> fresh =
        events.get(0) instanceof StreamEvent.ChunksAppended appended
            ? appended.chunks()
            : List.of();
    return Effect().persist(events).thenRun(after -> publish(fresh, after));
  }

  /** Pushes what became durable to every subscriber, each from its own next offset. */
  private void publish(List<StreamChunk> fresh, StreamState state) {
    if (!fresh.isEmpty()) {
      long first = fresh.get(0).seq();
      for (Map.Entry<ActorRef<StreamUpdate>, Subscriber> entry : subscribers.entrySet()) {
        Subscriber subscriber = entry.getValue();
        if (subscriber.next < state.nextOffset()) {
          // a subscriber that joined beyond the end gets nothing below its offset
          List<StreamChunk> part =
              subscriber.next <= first
                  ? fresh
                  : fresh.subList((int) (subscriber.next - first), fresh.size());
          entry.getKey().tell(new StreamUpdate.Chunks(subscriber.subscription, part));
          subscriber.next = state.nextOffset();
        }
      }
    }
    if (state.ended()) {
      subscribers.forEach(
          (ref, subscriber) -> {
            ref.tell(new StreamUpdate.Ended(subscriber.subscription, state.nextOffset()));
            context.unwatch(ref);
          });
      subscribers.clear();
      ended = true;
      context.setReceiveTimeout(idleTimeout(), StreamCommand.IdleTimeout.INSTANCE);
    }
  }

  // ---- subscribing

  private Effect<StreamEvent, StreamState> onSubscribe(
      StreamState state, StreamCommand.Subscribe subscribe) {
    ActorRef<StreamUpdate> subscriber = subscribe.subscriber();
    long id = subscribe.subscription();
    long from = Math.max(0, subscribe.fromOffset());
    if (state.deleted()) {
      subscriber.tell(new StreamUpdate.Deleted(id, state.endedAt(), state.deletedAt()));
      return Effect().none();
    }
    if (from < tail.firstOffset(state.nextOffset())) {
      // older than memory: the subscriber reads the journal, then comes back
      removeSubscriber(subscriber);
      subscriber.tell(new StreamUpdate.CatchUp(id, state.index().sequenceNrFor(from)));
      return Effect().none();
    }
    subscriber.tell(new StreamUpdate.Live(id, context.getSelf(), tail.from(from)));
    if (state.ended()) {
      subscriber.tell(new StreamUpdate.Ended(id, state.nextOffset()));
      removeSubscriber(subscriber);
    } else {
      Subscriber previous =
          subscribers.put(subscriber, new Subscriber(id, Math.max(from, state.nextOffset())));
      if (previous == null) {
        context.watchWith(subscriber, new StreamCommand.Unsubscribe(subscriber));
        context.cancelReceiveTimeout();
      }
    }
    return Effect().none();
  }

  private Effect<StreamEvent, StreamState> onUnsubscribe(
      StreamState state, StreamCommand.Unsubscribe unsubscribe) {
    removeSubscriber(unsubscribe.subscriber());
    return Effect().none();
  }

  private void removeSubscriber(ActorRef<StreamUpdate> subscriber) {
    if (subscribers.remove(subscriber) != null) {
      context.unwatch(subscriber);
      if (subscribers.isEmpty()) {
        context.setReceiveTimeout(idleTimeout(), StreamCommand.IdleTimeout.INSTANCE);
      }
    }
  }

  private Effect<StreamEvent, StreamState> onGetStatus(
      StreamState state, StreamCommand.GetStatus get) {
    get.replyTo().tell(status(state));
    return Effect().none();
  }

  private StreamStatus status(StreamState state) {
    return new StreamStatus(
        streamId,
        state.nextOffset(),
        state.ended(),
        state.endedAt(),
        state.deleted(),
        state.deletedAt(),
        subscribers.size(),
        tail.size());
  }

  /** How long this stream stays in memory without subscribers. */
  private java.time.Duration idleTimeout() {
    return ended ? settings.endedIdleTimeout() : settings.idleTimeout();
  }

  private Effect<StreamEvent, StreamState> onIdle(
      StreamState state, StreamCommand.IdleTimeout idle) {
    if (subscribers.isEmpty()) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    return Effect().none();
  }

  // ---- retention

  private Effect<StreamEvent, StreamState> onExpire(
      StreamState state, StreamCommand.Expire expire) {
    boolean due =
        state.ended()
            && !state.deleted()
            && state.endedAt() + settings.retention().toMillis() <= System.currentTimeMillis();
    if (purging) {
      if (tombstoned) {
        return Effect().none();
      }
      tombstoned = true;
      // the snapshot of the tombstone, then the deletion of every event before it, follow
      return Effect()
          .persist(
              new StreamEvent.StreamDeleted(
                  System.currentTimeMillis(), state.nextOffset(), state.endedAt()));
    }
    if (!due) {
      expire.replyTo().tell(Done.getInstance());
      return Effect().none();
    }
    purge.set(expire.replyTo());
    // the next incarnation's retention deletes the journal before its tombstone
    throw new PurgeRestart();
  }

  @Override
  public SignalHandler<StreamState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              ended = state.ended();
              if (ended && subscribers.isEmpty()) {
                context.setReceiveTimeout(idleTimeout(), StreamCommand.IdleTimeout.INSTANCE);
              }
              if (purging) {
                context.cancelReceiveTimeout();
                context.getSelf().tell(new StreamCommand.Expire(context.getSystem().ignoreRef()));
              }
            })
        .onSignal(DeleteEventsCompleted.class, (state, done) -> purged())
        .onSignal(
            DeleteEventsFailed.class,
            (state, failed) -> {
              context
                  .getLog()
                  .warn(
                      "deleting the expired stream {} failed; the next sweep tries again",
                      streamId,
                      failed.failure());
              purged();
            })
        .build();
  }

  private void purged() {
    ActorRef<Done> replyTo = purge.getAndSet(null);
    if (replyTo != null) {
      replyTo.tell(Done.getInstance());
    }
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
  }

  @Override
  public EventHandler<StreamState, StreamEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            StreamEvent.ChunksAppended.class,
            (state, e) -> {
              // the tail is a cache of the journal, rebuilt by replay like the state
              tail.append(e.chunks());
              return state.appended(e.chunks());
            })
        .onEvent(StreamEvent.StreamEnded.class, (state, e) -> state.ended(e.timestamp()))
        .onEvent(
            StreamEvent.StreamDeleted.class,
            (state, e) -> {
              tail.clear();
              return state.deleted(e);
            })
        .build();
  }
}
