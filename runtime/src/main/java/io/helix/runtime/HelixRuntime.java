package io.helix.runtime;

import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentRegistry;
import io.helix.model.ModelCatalog;
import io.helix.run.RunCommand;
import io.helix.run.RunEntity;
import io.helix.run.RunEnvironment;
import io.helix.run.RunSettings;
import io.helix.stream.Streams;
import com.typesafe.config.Config;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * Starts the runtime on an actor system: Cluster Sharding for runs and streams, and the {@link
 * AgentExecutor} over them. Every node of a cluster starts it with the same agents.
 */
public final class HelixRuntime {

  private HelixRuntime() {}

  public static AgentExecutor start(
      ActorSystem<?> system, AgentRegistry agents, ModelCatalog models) {
    Config helix = system.settings().config().getConfig("helix");
    ClusterSharding sharding = ClusterSharding.get(system);
    Executor blockingTools =
        system.dispatchers().lookup(DispatcherSelector.fromConfig("helix.blocking-tool-dispatcher"));
    RunEnvironment environment =
        new RunEnvironment(agents, models, RunSettings.fromConfig(helix), sharding, blockingTools);

    // Runs in flight restart by themselves after a crash; a finished run passivates and is forgotten.
    // The event-sourced store keeps remembered runs in the journal (set here, not in HOCON, where
    // a shaded jar's merged reference.conf may let Pekko's default win).
    sharding.init(
        Entity.of(RunEntity.TYPE_KEY, context -> RunEntity.create(context, environment))
            .withStopMessage(RunCommand.Stop.INSTANCE)
            .withMessageExtractor(
                new HashCodeMessageExtractor<>(helix.getInt("run.number-of-shards")))
            .withSettings(
                ClusterShardingSettings.create(system)
                    .withRememberEntities(true)
                    .withRememberEntitiesStoreMode(
                        ClusterShardingSettings.rememberEntitiesStoreModeEventSourced())));

    // the stream entities, their retention sweep, and the client that subscribes to them
    Streams streams = Streams.start(system);

    return new ShardedAgentExecutor(
        system, agents, sharding, ExecutorSettings.fromConfig(helix), streams);
  }
}
