package io.helix.stream;

import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * For fault-injection tests: the streams' sharding on a node with a {@link Filter} in front of
 * every stream entity (one per entity), which sees each command before the entity does. Call
 * before the runtime starts on the node: the sharding's first init wins.
 */
public final class InterceptedStreams {

  /** Whether the entity gets a command now; it may also send it (or others) to the entity later. */
  @FunctionalInterface
  public interface Filter {
    boolean deliver(ActorContext<StreamCommand> entity, StreamCommand command);
  }

  private InterceptedStreams() {}

  public static void init(ActorSystem<?> system, Supplier<Filter> filters) {
    StreamSettings settings = StreamSettings.fromConfig(system.settings().config());
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    StreamEntity.TYPE_KEY,
                    context ->
                        Behaviors.intercept(
                            () -> interceptor(filters.get()),
                            StreamEntity.create(context, settings)))
                .withStopMessage(StreamCommand.Stop.INSTANCE)
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  private static BehaviorInterceptor<StreamCommand, StreamCommand> interceptor(Filter filter) {
    return new BehaviorInterceptor<>(StreamCommand.class) {
      @Override
      public Behavior<StreamCommand> aroundReceive(
          TypedActorContext<StreamCommand> ctx,
          StreamCommand msg,
          ReceiveTarget<StreamCommand> target) {
        return filter.deliver(ctx.asJava(), msg) ? target.apply(ctx, msg) : Behaviors.same();
      }
    };
  }
}
