package io.helix.run;

import io.helix.agent.RunControlException;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.model.TokenUsage;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.CircuitBreakerOpenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives up a poison run: one whose recovery fails {@code helix.run.max-recovery-failures} times in
 * a row because its journal holds what cannot be read (an event that no longer deserializes), not
 * because the journal is unreachable (a failure caused by SQL, a connection or a timeout is not
 * counted: a database outage must not fail every run). The entity's backoff restarts recover
 * again meanwhile; the last failure turns the entity into one that answers every question with
 * the run failed (the reason says why), tells the {@link RunObserver} (the read model marks the run
 * failed) and asks to be passivated, so remember-entities forgets it instead of restarting it
 * forever. Its journal is left as it is; a later question wakes it and, as its recovery fails
 * again, gets the same answer.
 */
final class RecoveryGuard {

  private static final Logger LOG = LoggerFactory.getLogger(RecoveryGuard.class);
  private static final int MAX_ASKED = 1000;

  private final String runId;
  private final int maxFailures;
  private final RunObserver observer;
  private int failures;
  private Throwable last;
  // the entity is replaced by the given-up run
  private boolean replaced;
  // the questions asked before the entity first recovered: the given-up run answers them
  private final List<RunCommand> asked = new ArrayList<>();
  private boolean recoveredOnce;

  /** @param observer told when the run is given up (the read model marks it failed) */
  RecoveryGuard(String runId, int maxFailures, RunObserver observer) {
    this.runId = runId;
    this.maxFailures = maxFailures;
    this.observer = observer;
  }

  /** The entity's recovery failed (its RecoveryFailed signal). */
  void recoveryFailed(Throwable cause) {
    if (sameFailure(cause)) {
      return; // Pekko signals a failed recovery again as it fails the entity
    }
    if (transientFailure(cause)) {
      LOG.warn("run {}: recovery failed, the journal is unreachable", runId, cause);
      return;
    }
    failures++;
    last = cause;
    LOG.warn("run {}: recovery failed ({} of {})", runId, failures, maxFailures, cause);
  }

  /** The entity recovered: the failures are no longer in a row. */
  void recovered() {
    failures = 0;
    recoveredOnce = true;
    asked.clear();
  }

  boolean givenUp() {
    return failures >= maxFailures;
  }

  private boolean sameFailure(Throwable cause) {
    for (Throwable t = cause; t != null && last != null; t = t.getCause()) {
      if (t == last) {
        return true;
      }
    }
    return false;
  }

  static boolean transientFailure(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SQLException
          || t instanceof ConnectException
          || t instanceof TimeoutException
          || t instanceof CircuitBreakerOpenException) {
        return true;
      }
    }
    return false;
  }

  /** {@code entity}, replaced by a given-up run once its recovery has failed too often. */
  @SuppressWarnings("unchecked")
  Behavior<RunCommand> guard(
      Behavior<RunCommand> entity, ActorRef<ClusterSharding.ShardCommand> shard) {
    BehaviorInterceptor<Object, Object> interceptor =
        new BehaviorInterceptor<>(Object.class) {
          @Override
          public Behavior<Object> aroundReceive(
              TypedActorContext<Object> ctx, Object msg, ReceiveTarget<Object> target) {
            if (!recoveredOnce && !replaced && msg instanceof RunCommand command
                && asked.size() < MAX_ASKED) {
              asked.add(command);
            }
            return checked(target.apply(ctx, msg), ctx, shard);
          }

          @Override
          public Behavior<Object> aroundSignal(
              TypedActorContext<Object> ctx, Signal signal, SignalTarget<Object> target) {
            return checked(target.apply(ctx, signal), ctx, shard);
          }
        };
    return (Behavior<RunCommand>)
        (Behavior<?>)
            Behaviors.intercept(() -> interceptor, (Behavior<Object>) (Behavior<?>) entity);
  }

  @SuppressWarnings("unchecked")
  private Behavior<Object> checked(
      Behavior<Object> next,
      TypedActorContext<Object> ctx,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    if (replaced || !givenUp()) {
      return next;
    }
    replaced = true;
    ActorRef<RunCommand> self = (ActorRef<RunCommand>) (ActorRef<?>) ctx.asJava().getSelf();
    LOG.error("run {}: recovery failed {} times in a row, the run is given up", runId, failures);
    RunResult failed = failed();
    observer.runGivenUp(runId, failed.error());
    asked.forEach(self::tell); // they were waiting in the stash of the entity that failed
    asked.clear();
    shard.tell(new ClusterSharding.Passivate<>(self));
    return (Behavior<Object>) (Behavior<?>) givenUpRun(failed);
  }

  private RunResult failed() {
    String error =
        "the run's journal cannot be read ("
            + failures
            + " recoveries failed): "
            + Failures.describe(last);
    return new RunResult(
        runId, null, RunStatus.failed, null, error, false, null, 0, TokenUsage.ZERO, null, null,
        null, List.of());
  }

  /** A run that is given up: it answers as failed until it is stopped. */
  private static Behavior<RunCommand> givenUpRun(RunResult failed) {
    RunLookup lookup = new RunLookup(failed);
    ControlReply refused =
        new ControlReply(null, RunControlException.Reason.CONFLICT, failed.error());
    return Behaviors.receive(RunCommand.class)
        .onMessage(
            RunCommand.Start.class,
            c -> reply(c.replyTo(), new StartReply.AlreadyExists(failed, false)))
        .onMessage(RunCommand.GetStatus.class, c -> reply(c.replyTo(), lookup))
        .onMessage(RunCommand.AwaitResult.class, c -> reply(c.replyTo(), lookup))
        .onMessage(RunCommand.AwaitSettled.class, c -> reply(c.replyTo(), lookup))
        .onMessage(RunCommand.Abort.class, c -> reply(c.replyTo(), lookup))
        .onMessage(RunCommand.Approve.class, c -> reply(c.replyTo(), refused))
        .onMessage(RunCommand.SubmitToolResult.class, c -> reply(c.replyTo(), refused))
        .onMessage(RunCommand.Interrupt.class, c -> reply(c.replyTo(), refused))
        .onMessage(RunCommand.Resume.class, c -> reply(c.replyTo(), refused))
        .onMessage(RunCommand.Stop.class, c -> Behaviors.stopped())
        .onAnyMessage(c -> Behaviors.same())
        .build();
  }

  private static <T> Behavior<RunCommand> reply(ActorRef<T> replyTo, T answer) {
    replyTo.tell(answer);
    return Behaviors.same();
  }
}
