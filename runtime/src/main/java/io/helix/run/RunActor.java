package io.helix.run;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * What the parts of one run's work share: the run's id, its actor's context and timers, and the
 * node's {@link RunEnvironment}. Used on the actor's thread only.
 */
record RunActor(
    String runId,
    ActorContext<RunCommand> context,
    TimerScheduler<RunCommand> timers,
    RunEnvironment env) {

  ActorRef<RunCommand> self() {
    return context.getSelf();
  }

  RunSettings settings() {
    return env.settings();
  }

  /** The run of another id (a sub-agent's), wherever in the cluster it lives. */
  EntityRef<RunCommand> run(String id) {
    return env.sharding().entityRefFor(RunEntity.TYPE_KEY, id);
  }
}
