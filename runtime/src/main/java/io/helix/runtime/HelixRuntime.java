package io.helix.runtime;

import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentRegistry;
import io.helix.model.ModelCatalog;
import io.helix.run.RunEntity;
import io.helix.run.RunEnvironment;
import io.helix.run.RunObserver;
import io.helix.run.RunSettings;
import io.helix.stream.Streams;
import io.helix.session.SessionEntity;
import io.helix.history.Erasure;
import com.typesafe.config.Config;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Starts the runtime on an actor system: Cluster Sharding for runs and streams, and the {@link
 * AgentExecutor} over them. Every node of a cluster starts it with the same agents.
 */
public final class HelixRuntime {

  private HelixRuntime() {}

  public static AgentExecutor start(
      ActorSystem<?> system, AgentRegistry agents, ModelCatalog models) {
    return start(system, agents, models, RunObserver.NONE);
  }

  /** As {@link #start(ActorSystem, AgentRegistry, ModelCatalog)}, with an observer of its runs. */
  public static AgentExecutor start(
      ActorSystem<?> system, AgentRegistry agents, ModelCatalog models, RunObserver observer) {
    return start(system, agents, models, observer, null);
  }

  /**
   * As {@link #start(ActorSystem, AgentRegistry, ModelCatalog, RunObserver)}, with the {@link
   * Erasure} that deletes an erased session's runs (null: sessions cannot be erased on this node).
   */
  public static AgentExecutor start(
      ActorSystem<?> system,
      AgentRegistry agents,
      ModelCatalog models,
      RunObserver observer,
      Erasure erasure) {
    Config helix = system.settings().config().getConfig("helix");
    ClusterSharding sharding = ClusterSharding.get(system);
    Executor blockingTools =
        system.dispatchers().lookup(DispatcherSelector.fromConfig("helix.blocking-tool-dispatcher"));
    RunEnvironment environment =
        new RunEnvironment(
            agents,
            models,
            RunSettings.fromConfig(helix),
            sharding,
            blockingTools,
            observer,
            SessionEntity.listener(sharding));

    // the run entities, sharded and remembered so runs in flight survive a crash
    RunEntity.init(system, environment);
    // the sessions: conversations of runs, a turn at a time
    SessionEntity.init(sharding, helix.getInt("session.snapshot-every"));

    // the stream entities, their retention sweep, and the client that subscribes to them
    Streams streams = Streams.start(system);

    return new ShardedAgentExecutor(
        system,
        agents,
        sharding,
        ExecutorSettings.fromConfig(helix),
        streams,
        java.util.Optional.ofNullable(erasure));
  }
}
