package io.helix.run;

import io.helix.agent.RunResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The callers waiting for a run: for its end ({@link RunCommand.AwaitResult}) and until it no
 * longer runs ({@link RunCommand.AwaitSettled}). Each is watched, so one that gave up (its ask timed
 * out) is forgotten ({@link InternalCommand.WaiterGone}). Not thread-safe: the entity's actor alone
 * uses it.
 */
final class RunWaiters {

  private final RunActor actor;
  private final List<ActorRef<RunLookup>> forEnd = new ArrayList<>();
  private final List<ActorRef<RunLookup>> forSettled = new ArrayList<>();

  RunWaiters(RunActor actor) {
    this.actor = actor;
  }

  /** A caller waits for the run's end. */
  void awaitEnd(ActorRef<RunLookup> waiter) {
    forEnd.add(waiter);
    actor.context().watchWith(waiter, new InternalCommand.WaiterGone(waiter));
  }

  /** A caller waits until the run is no longer running. */
  void awaitSettled(ActorRef<RunLookup> waiter) {
    forSettled.add(waiter);
    actor.context().watchWith(waiter, new InternalCommand.WaiterGone(waiter));
  }

  /** Answers who waits for the end with the run as it ended. */
  void ended(RunResult run) {
    answer(forEnd, run);
  }

  /** Answers who waits until the run settles (also when it ends). */
  void settled(RunResult run) {
    answer(forSettled, run);
  }

  void gone(ActorRef<RunLookup> waiter) {
    forEnd.remove(waiter);
    forSettled.remove(waiter);
  }

  private static void answer(List<ActorRef<RunLookup>> waiters, RunResult run) {
    waiters.forEach(waiter -> waiter.tell(new RunLookup(run)));
    waiters.clear();
  }
}
