package io.helix.run;

import io.helix.agent.AgentRegistry;
import io.helix.model.ModelCatalog;
import java.util.concurrent.Executor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** What every {@link RunEntity} of a node shares. */
public record RunEnvironment(
    AgentRegistry agents,
    ModelCatalog models,
    RunSettings settings,
    ClusterSharding sharding,
    Executor blockingToolExecutor,
    RunObserver observer,
    TurnListener turns) {

  public RunEnvironment {
    observer = observer == null ? RunObserver.NONE : observer;
    turns = turns == null ? TurnListener.NONE : turns;
  }

  /** An environment whose runs' sessions hear of nothing. */
  public RunEnvironment(
      AgentRegistry agents,
      ModelCatalog models,
      RunSettings settings,
      ClusterSharding sharding,
      Executor blockingToolExecutor,
      RunObserver observer) {
    this(agents, models, settings, sharding, blockingToolExecutor, observer, TurnListener.NONE);
  }

  /** An environment whose runs nobody observes. */
  public RunEnvironment(
      AgentRegistry agents,
      ModelCatalog models,
      RunSettings settings,
      ClusterSharding sharding,
      Executor blockingToolExecutor) {
    this(agents, models, settings, sharding, blockingToolExecutor, RunObserver.NONE);
  }
}
