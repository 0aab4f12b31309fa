package io.helix.stream;

import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * For fault-injection tests: the streams' sharding on a node with every stream entity wrapped in
 * an interceptor (one per entity), which sees each command before the entity does. Call before
 * the runtime starts on the node: the sharding's first init wins.
 */
public final class InterceptedStreams {

  private InterceptedStreams() {}

  public static void init(
      ActorSystem<?> system,
      Supplier<BehaviorInterceptor<StreamCommand, StreamCommand>> interceptor) {
    StreamSettings settings = StreamSettings.fromConfig(system.settings().config());
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    StreamEntity.TYPE_KEY,
                    context ->
                        Behaviors.intercept(interceptor, StreamEntity.create(context, settings)))
                .withStopMessage(StreamCommand.Stop.INSTANCE)
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }
}
