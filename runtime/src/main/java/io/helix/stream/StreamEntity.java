package io.helix.stream;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
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
 * newest {@code helix.stream.tail-size} chunks are kept ({@link StreamTail}) for subscribers that
 * join late; one that asks for older chunks is told to read them from the journal first ({@link
 * StreamUpdate.CatchUp}). The tail is a cache, not state: the event handler only folds the state;
 * the tail takes each batch once it is durable, and after a start it is read from the journal when
 * a subscriber first needs it. Each subscriber has its own next offset; the entity only tells, it
 * never waits for one, so a slow subscriber cannot slow the writer or the others (its own bounded
 * buffer overflows instead, see {@link Streams#subscribe}).
 *
 * <p>An ended stream is deleted after {@code helix.stream.retention}: on {@link
 * StreamCommand.Expire} it persists a tombstone ({@link StreamEvent.StreamDeleted}) and is from
 * then on a deleted stream, which readers are told about; a {@link StreamPurge} then deletes the
 * journal before the tombstone. A failed journal write restarts the entity after {@code
 * helix.stream.persist-failure-backoff}.
 *
 * <p>At some 430 lines it stays one file on purpose: it holds the entity's key, {@code init}, and
 * its command and event tables (a deleted stream, then any other state), each handler a few
 * lines; the tail ({@link StreamTail}), the purge ({@link StreamPurge}), the hand-off's decisions
 * ({@link StreamHandOff}), the appends held while nobody watches ({@link HeldAppends}) and
 * subscribing ({@link Streams}) already live beside it.
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

  /** The entity's messages to itself: local, never serialized. */
  sealed interface InternalCommand extends StreamCommand
      permits IdleTimeout, TailLoaded, ChunksDeleted, HeldAppends.Flush {}

  /** Asks to be passivated once idle and without subscribers. */
  enum IdleTimeout implements InternalCommand {
    INSTANCE
  }

  /** The chunks before the tail, read from the journal during the tail's start {@code start}. */
  record TailLoaded(long start, StreamTail older, Throwable failure) implements InternalCommand {}

  /** From {@link StreamPurge}: the journal before the tombstone is deleted, unless it failed. */
  record ChunksDeleted(Throwable failure) implements InternalCommand {}

  private final String streamId;
  private final ActorContext<StreamCommand> context;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final StreamSettings settings;
  private final Optional<CurrentEventsByPersistenceIdQuery> journal;
  private final StreamTail tail;
  private final StreamSubscribers subscribers;
  // an ended stream leaves memory sooner (see helix.stream.ended-idle-timeout)
  private boolean ended;
  private final StreamPurges purges;
  private final HeldAppends held;

  /**
   * Initialises the streams' sharding on this node (idempotent). Streams passivate themselves when
   * idle without subscribers, so the sharding has no passivation strategy of its own.
   */
  public static ActorRef<ShardingEnvelope<StreamCommand>> init(
      ActorSystem<?> system, StreamSettings settings) {
    return ClusterSharding.get(system)
        .init(
            Entity.of(TYPE_KEY, context -> create(context, settings))
                .withStopMessage(StreamCommand.Stop.INSTANCE)
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  public static Behavior<StreamCommand> create(
      EntityContext<StreamCommand> entityContext, StreamSettings settings) {
    return Behaviors.setup(
        context -> {
          context.setReceiveTimeout(settings.idleTimeout(), IdleTimeout.INSTANCE);
          Optional<CurrentEventsByPersistenceIdQuery> journal =
              Streams.eventsByPersistenceId(Streams.readJournal(context.getSystem(), settings));
          return Behaviors.withTimers(
              timers ->
                  new StreamEntity(
                      entityContext, context, settings, journal, new HeldAppends(timers, settings)));
        });
  }

  private StreamEntity(
      EntityContext<StreamCommand> entityContext,
      ActorContext<StreamCommand> context,
      StreamSettings settings,
      Optional<CurrentEventsByPersistenceIdQuery> journal,
      HeldAppends held) {
    super(
        PersistenceId.of(TYPE_KEY.name(), entityContext.getEntityId()),
        settings.persistFailureBackoff().restart());
    this.streamId = entityContext.getEntityId();
    this.context = context;
    this.shard = entityContext.getShard();
    this.settings = settings;
    this.journal = journal;
    this.tail = new StreamTail(settings.effectiveTailSize());
    this.subscribers = new StreamSubscribers(context);
    this.purges = new StreamPurges(context);
    this.held = held;
  }

  @Override
  public StreamState emptyState() {
    return StreamState.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // snapshots keep recovery short; the events stay, readers catch up from them
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public boolean shouldSnapshot(StreamState state, StreamEvent event, long sequenceNr) {
    // a deleted stream recovers from the snapshot of its tombstone
    return event instanceof StreamEvent.StreamDeleted;
  }

  @Override
  public Set<String> tagsFor(StreamEvent event) {
    return event instanceof StreamEvent.StreamEnded ? Set.of(ENDED_TAG) : Set.of();
  }

  @Override
  public CommandHandler<StreamCommand, StreamEvent, StreamState> commandHandler() {
    var builder = newCommandHandlerBuilder();
    // a deleted stream: readers are told so, writers are ignored, Expire deletes what is left
    builder
        .forState(StreamState::deleted)
        .onCommand(StreamCommand.Append.class, (state, append) -> Effect().none())
        .onCommand(
            StreamCommand.AppendFrom.class,
            (state, append) -> {
              StreamHandOff.acknowledge(streamId, state, append);
              return Effect().none();
            })
        .onCommand(StreamCommand.Subscribe.class, this::onSubscribeDeleted)
        .onCommand(StreamCommand.Expire.class, this::onExpireDeleted);
    builder
        .forAnyState()
        .onCommand(
            StreamCommand.Append.class, (s, a) -> onAppend(s, StreamHandOff.withoutOrigin(a)))
        .onCommand(StreamCommand.AppendFrom.class, this::onAppend)
        .onCommand(StreamCommand.Subscribe.class, this::onSubscribe)
        .onCommand(StreamCommand.Unsubscribe.class, this::onUnsubscribe)
        .onCommand(StreamCommand.GetStatus.class, this::onGetStatus)
        .onCommand(StreamCommand.Expire.class, this::onExpire)
        .onCommand(StreamCommand.Stop.class, this::onStop)
        .onCommand(HeldAppends.Flush.class, (state, flush) -> writeHeld(state))
        .onCommand(IdleTimeout.class, this::onIdle)
        .onCommand(TailLoaded.class, this::onTailLoaded)
        .onCommand(ChunksDeleted.class, this::onChunksDeleted);
    return builder.build();
  }

  // ---- appending

  /** See {@link StreamHandOff}: new chunks are appended, the sender told once they are durable. */
  private Effect<StreamEvent, StreamState> onAppend(
      StreamState state, StreamCommand.AppendFrom append) {
    if (held.hold(append, !subscribers.isEmpty()) && !state.ended()) {
      return Effect().none(); // nobody watches: written with the next ones (HeldAppends)
    }
    return writeHeld(state);
  }

  /** Writes the appends held (one write), then pushes their chunks and acknowledges them. */
  private Effect<StreamEvent, StreamState> writeHeld(StreamState state) {
    List<StreamCommand.AppendFrom> appends = held.release();
    StreamHandOff.Batch batch =
        StreamHandOff.events(state, appends, System.currentTimeMillis());
    if (batch.events().isEmpty()) {
      appends.forEach(append -> StreamHandOff.acknowledge(streamId, state, append));
      return Effect().none();
    }
    return Effect()
        .persist(batch.events())
        .thenRun(
            after -> {
              durable(batch.fresh(), after);
              appends.forEach(append -> StreamHandOff.acknowledge(streamId, after, append));
            });
  }

  /** Stops, once the appends held are written (and acknowledged). */
  private Effect<StreamEvent, StreamState> onStop(StreamState state, StreamCommand.Stop stop) {
    List<StreamCommand.AppendFrom> appends = held.release();
    List<StreamEvent> events =
        StreamHandOff.events(state, appends, System.currentTimeMillis()).events();
    if (events.isEmpty()) {
      return Effect().stop();
    }
    return Effect()
        .persist(events)
        .thenRun(
            (StreamState after) ->
                appends.forEach(append -> StreamHandOff.acknowledge(streamId, after, append)))
        .thenStop();
  }

  /** Keeps what became durable in the tail and pushes it to every subscriber. */
  private void durable(List<StreamChunk> fresh, StreamState state) {
    tail.append(fresh);
    subscribers.publish(fresh, state.nextOffset());
    if (state.ended()) {
      subscribers.end(state.nextOffset());
      ended = true;
      context.setReceiveTimeout(idleTimeout(), IdleTimeout.INSTANCE);
    }
  }

  // ---- subscribing

  private Effect<StreamEvent, StreamState> onSubscribe(
      StreamState state, StreamCommand.Subscribe subscribe) {
    if (tail.reading()) {
      // subscriptions wait for the tail, and keep their order
      return Effect().stash();
    }
    ActorRef<StreamUpdate> subscriber = subscribe.subscriber();
    long id = subscribe.subscription();
    long from = Math.max(0, subscribe.fromOffset());
    long inMemory = tail.firstOffset(state.nextOffset());
    if (from < inMemory) {
      if (tail.worthReading(from, state.nextOffset())) {
        // a start left the tail in the journal: read it once, for this one and the next ones
        readTail(state);
        return Effect().stash();
      }
      // older than memory: the subscriber reads the journal, then comes back
      removeSubscriber(subscriber);
      subscriber.tell(new StreamUpdate.CatchUp(id, state.index().sequenceNrFor(from)));
      return writeHeld(state);
    }
    subscriber.tell(new StreamUpdate.Live(id, context.getSelf(), tail.from(from)));
    if (state.ended()) {
      subscriber.tell(new StreamUpdate.Ended(id, state.nextOffset()));
      removeSubscriber(subscriber);
    } else if (subscribers.put(subscriber, id, Math.max(from, state.nextOffset()))) {
      context.cancelReceiveTimeout();
    }
    // chunks held while nobody watched are written now, and pushed to it
    return writeHeld(state);
  }

  private Effect<StreamEvent, StreamState> onSubscribeDeleted(
      StreamState state, StreamCommand.Subscribe subscribe) {
    subscribe
        .subscriber()
        .tell(
            new StreamUpdate.Deleted(subscribe.subscription(), state.endedAt(), state.deletedAt()));
    return Effect().none();
  }

  private Effect<StreamEvent, StreamState> onUnsubscribe(
      StreamState state, StreamCommand.Unsubscribe unsubscribe) {
    if (tail.reading()) {
      return Effect().stash();
    }
    removeSubscriber(unsubscribe.subscriber());
    return Effect().none();
  }

  private void removeSubscriber(ActorRef<StreamUpdate> subscriber) {
    if (subscribers.remove(subscriber) && subscribers.isEmpty()) {
      context.setReceiveTimeout(idleTimeout(), IdleTimeout.INSTANCE);
    }
  }

  // ---- the tail after a start

  private void readTail(StreamState state) {
    long start = tail.starts();
    context.pipeToSelf(
        tail.readOlder(
            journal.orElseThrow(),
            persistenceId().id(),
            state.index(),
            state.nextOffset(),
            lastSequenceNumber(context),
            context.getSystem()),
        (older, failure) -> new TailLoaded(start, older, failure));
  }

  private Effect<StreamEvent, StreamState> onTailLoaded(StreamState state, TailLoaded loaded) {
    if (loaded.failure() != null) {
      // not read again until the next start: subscribers read the journal themselves
      context.getLog().warn("reading the tail of stream {} failed", streamId, loaded.failure());
    }
    tail.readDone(loaded.start(), loaded.older());
    return Effect().unstashAll();
  }

  // ---- status and passivation

  private Effect<StreamEvent, StreamState> onGetStatus(
      StreamState state, StreamCommand.GetStatus get) {
    get.replyTo().tell(state.status(streamId, subscribers.size(), tail.size()));
    return Effect().none();
  }

  /** How long this stream stays in memory without subscribers. */
  private Duration idleTimeout() {
    return ended ? settings.endedIdleTimeout() : settings.idleTimeout();
  }

  private Effect<StreamEvent, StreamState> onIdle(StreamState state, IdleTimeout idle) {
    if (subscribers.isEmpty() && !purges.inProgress()) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    return Effect().none();
  }

  // ---- retention

  private Effect<StreamEvent, StreamState> onExpire(
      StreamState state, StreamCommand.Expire expire) {
    boolean due =
        state.ended()
            && state.endedAt() + settings.retention().toMillis() <= System.currentTimeMillis();
    if (!due) {
      expire.replyTo().tell(Done.getInstance());
      return Effect().none();
    }
    // the tombstone (and its snapshot) first: from then on the stream is deleted to readers
    return Effect()
        .persist(
            new StreamEvent.StreamDeleted(
                System.currentTimeMillis(), state.nextOffset(), state.endedAt()))
        .thenRun(
            deleted -> {
              tail.clear();
              deleteChunks(expire.replyTo());
            });
  }

  /** Deletes the journal before the tombstone again: an earlier attempt may have failed. */
  private Effect<StreamEvent, StreamState> onExpireDeleted(
      StreamState state, StreamCommand.Expire expire) {
    deleteChunks(expire.replyTo());
    return Effect().none();
  }

  /** Deletes the journal before the tombstone; {@code replyTo} is told when that is done. */
  private void deleteChunks(ActorRef<Done> replyTo) {
    context.cancelReceiveTimeout();
    purges.start(persistenceId().id(), lastSequenceNumber(context) - 1, replyTo);
  }

  private Effect<StreamEvent, StreamState> onChunksDeleted(
      StreamState state, ChunksDeleted deleted) {
    if (purges.ended()) {
      if (deleted.failure() != null) {
        // the tombstone stands; the next sweep tries again
        context.getLog().warn("deleting expired stream {} failed", streamId, deleted.failure());
      }
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    return Effect().none();
  }

  // ---- signals and events

  @Override
  public SignalHandler<StreamState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .build();
  }

  /** After a start, or a restart after a failed write. */
  private void onRecovered(StreamState state) {
    ended = state.ended();
    tail.started(state.nextOffset(), journal.isPresent() && !state.deleted());
    if (subscribers.isEmpty()) {
      context.setReceiveTimeout(idleTimeout(), IdleTimeout.INSTANCE);
    }
  }

  @Override
  public EventHandler<StreamState, StreamEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(StreamEvent.ChunksAppended.class, (state, e) -> state.appended(e))
        .onEvent(StreamEvent.StreamEnded.class, (state, e) -> state.ended(e.timestamp()))
        .onEvent(StreamEvent.StreamDeleted.class, (state, e) -> state.deleted(e))
        .build();
  }
}
