package io.helix.stream;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * One stream: assigns each appended chunk its offset, persists chunks in batches (one journal event
 * per append), and pushes them to subscribers once durable, so an offset a client has seen always
 * names the same chunk, also after a crash.
 */
public final class StreamEntity
    extends EventSourcedBehavior<StreamCommand, StreamEvent, StreamState> {

  public static final EntityTypeKey<StreamCommand> TYPE_KEY =
      EntityTypeKey.create(StreamCommand.class, "Stream");

  private final ActorContext<StreamCommand> context;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final StreamSettings settings;
  // Subscribers are connections, not state: they re-subscribe with their offset after a move.
  private final Set<ActorRef<StreamUpdate>> subscribers = new HashSet<>();

  public static Behavior<StreamCommand> create(
      EntityContext<StreamCommand> entityContext, StreamSettings settings) {
    return Behaviors.setup(
        context -> {
          context.setReceiveTimeout(settings.idleTimeout(), StreamCommand.IdleTimeout.INSTANCE);
          return new StreamEntity(entityContext, context, settings);
        });
  }

  private StreamEntity(
      EntityContext<StreamCommand> entityContext,
      ActorContext<StreamCommand> context,
      StreamSettings settings) {
    super(PersistenceId.of(TYPE_KEY.name(), entityContext.getEntityId()));
    this.context = context;
    this.shard = entityContext.getShard();
    this.settings = settings;
  }

  @Override
  public StreamState emptyState() {
    return StreamState.EMPTY;
  }

  @Override
  public CommandHandler<StreamCommand, StreamEvent, StreamState> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(StreamCommand.Append.class, this::onAppend)
        .onCommand(StreamCommand.Subscribe.class, this::onSubscribe)
        .onCommand(StreamCommand.Unsubscribe.class, this::onUnsubscribe)
        .onCommand(StreamCommand.IdleTimeout.class, this::onIdle)
        .onCommand(StreamCommand.Stop.class, (state, stop) -> Effect().stop())
        .build();
  }

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
    return Effect().persist(events).thenRun(after -> publish(state.nextOffset(), after));
  }

  /** Pushes what became durable since {@code fromOffset} to every subscriber. */
  private void publish(long fromOffset, StreamState state) {
    List<StreamChunk> fresh = state.from(fromOffset);
    for (ActorRef<StreamUpdate> subscriber : subscribers) {
      if (!fresh.isEmpty()) {
        subscriber.tell(new StreamUpdate.Chunks(fresh));
      }
      if (state.ended()) {
        subscriber.tell(new StreamUpdate.Ended(state.nextOffset()));
      }
    }
    if (state.ended()) {
      subscribers.forEach(context::unwatch);
      subscribers.clear();
      context.setReceiveTimeout(settings.idleTimeout(), StreamCommand.IdleTimeout.INSTANCE);
    }
  }

  private Effect<StreamEvent, StreamState> onSubscribe(
      StreamState state, StreamCommand.Subscribe subscribe) {
    ActorRef<StreamUpdate> subscriber = subscribe.subscriber();
    List<StreamChunk> stored = state.from(Math.max(0, subscribe.fromOffset()));
    if (!stored.isEmpty()) {
      subscriber.tell(new StreamUpdate.Chunks(stored));
    }
    if (state.ended()) {
      subscriber.tell(new StreamUpdate.Ended(state.nextOffset()));
    } else if (subscribers.add(subscriber)) {
      context.watchWith(subscriber, new StreamCommand.Unsubscribe(subscriber));
      context.cancelReceiveTimeout();
    }
    return Effect().none();
  }

  private Effect<StreamEvent, StreamState> onUnsubscribe(
      StreamState state, StreamCommand.Unsubscribe unsubscribe) {
    if (subscribers.remove(unsubscribe.subscriber())) {
      context.unwatch(unsubscribe.subscriber());
    }
    if (subscribers.isEmpty()) {
      context.setReceiveTimeout(settings.idleTimeout(), StreamCommand.IdleTimeout.INSTANCE);
    }
    return Effect().none();
  }

  private Effect<StreamEvent, StreamState> onIdle(
      StreamState state, StreamCommand.IdleTimeout idle) {
    if (subscribers.isEmpty()) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    return Effect().none();
  }

  @Override
  public EventHandler<StreamState, StreamEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(StreamEvent.ChunksAppended.class, (state, e) -> state.append(e.chunks()))
        .onEvent(StreamEvent.StreamEnded.class, (state, e) -> state.end())
        .build();
  }
}
