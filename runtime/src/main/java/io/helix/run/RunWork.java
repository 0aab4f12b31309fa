package io.helix.run;

import io.helix.agent.AgentDefinition;
import io.helix.agent.PendingRequest;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.run.RunDecisions.Next;
import io.helix.stream.StreamAck;
import io.helix.stream.StreamEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The work a run has in flight, and what the entity does once its events are persisted: the
 * {@link ModelAttempt}, the {@link ToolRunner} with its {@link SubAgents}, the {@link ChunkOutbox},
 * the deadline, and the callers waiting for the end. None of it is state: after a crash the
 * journal says what to redo ({@link #resumed}). Not thread-safe: the entity's actor alone uses it.
 *
 * <p>At some 420 lines it stays one class on purpose: what follows each persisted event (and each
 * recovery) reads in one place, as the entity's command table does in {@link RunEntity}; the work
 * itself is in the classes named above, and the waiting callers in {@link RunWaiters}.
 */
final class RunWork {

  private static final String PASSIVATE_TIMER = "passivate";
  private static final String DEADLINE_TIMER = "deadline";
  private static final String HAND_OFF_TIMER = "hand-off";
  private static final String EXPIRY_TIMER = "approval-expiry";

  final ChunkOutbox outbox;
  final ModelAttempt model;
  final SubAgents subAgents;
  final ToolRunner tools;
  final SubAgentWaits waits = new SubAgentWaits();
  final RecoveryGuard recovery;

  private final RunActor actor;
  private final LongSupplier lastSequenceNr;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final RunWaiters waiters;
  // the status last streamed, to stream each change (run_status)
  private RunStatus streamedStatus = RunStatus.running;
  // asked to stop while tools executed: their results are recorded, nothing new starts
  private boolean handingOff;

  /** @param lastSequenceNr the sequence number of the run's last persisted event */
  RunWork(
      RunActor actor, ActorRef<ClusterSharding.ShardCommand> shard, LongSupplier lastSequenceNr) {
    this.actor = actor;
    this.shard = shard;
    this.lastSequenceNr = lastSequenceNr;
    this.waiters = new RunWaiters(actor);
    this.recovery =
        new RecoveryGuard(
            actor.runId(), actor.settings().maxRecoveryFailures(), actor.env().observer());
    this.outbox =
        new ChunkOutbox(
            actor.runId(),
            actor.settings(),
            actor.timers(),
            lastSequenceNr,
            (streamId, append) -> {
              // a node shutting down sends no more: its runs recover elsewhere and send what their
              // streams lack (appends sent now would wait in a stream region that is stopping)
              if (CoordinatedShutdown.get(actor.context().getSystem()).getShutdownReason().isEmpty()) {
                actor.env().sharding().entityRefFor(StreamEntity.TYPE_KEY, streamId).tell(append);
              }
            },
            actor
                .context()
                .messageAdapter(
                    StreamAck.class, ack -> new InternalCommand.ChunksAcked(ack.upTo(), ack.ended())));
    this.model = new ModelAttempt(actor, outbox);
    this.subAgents = new SubAgents(actor, outbox);
    this.tools = new ToolRunner(actor, subAgents);
  }

  /** The run's agent as registered on this node; empty if its type no longer is. */
  Optional<AgentDefinition> agent(RunState state) {
    return actor.env().agents().get(state.agentType());
  }

  /** The run's token budget (0: none); see {@link RunSettings#tokenBudget}. */
  long tokenBudget(RunState state) {
    return RunLimits.budget(actor.settings().tokenBudget(agent(state)), state.origin().maxTokens());
  }

  /** Recovered: the outbox learns what the stream holds and sends what it lacks. */
  private void recoverOutbox(RunState state) {
    outbox.recover(state, from -> RunJournal.readFrom(actor, from));
  }

  /** The run was started: stream its start, set its deadline, ask the model. */
  void started(RunState state, String message) {
    actor.env().observer().runStarted(state.runId(), state.agentType());
    outbox.addPersisted(state, lastSequenceNr.getAsLong(), List.of(RunChunks.runStart(message)));
    startDeadline(state);
    proceed(state);
  }

  /** The entity recovered: what it does next depends on the run's status. */
  void recovered(RunState state) {
    recovery.recovered();
    if (state.active()) {
      resumed(state);
    } else if (state.interrupted()) {
      recoveredInterrupted(state);
    } else if (state.terminal()) {
      // woken by a question (or a root re-ending its stream): it leaves memory again
      recoveredEnded(state);
    }
  }

  /** The entity recovered a running run: it goes on at the first step without an event. */
  private void resumed(RunState state) {
    actor.context().getLog().info("run {} resumes after step {}", actor.runId(), state.step());
    actor.env().observer().runResumed(state.runId(), state.agentType(), state.traceParent());
    streamedStatus = state.status();
    recoverOutbox(state);
    model.resumed(state);
    startDeadline(state);
    proceed(state);
  }

  /** A step's events were persisted: stream what they say and go on from the state after them. */
  void persisted(List<RunEvent> events, RunState after) {
    long sequenceNr = lastSequenceNr.getAsLong() - events.size();
    for (RunEvent event : events) {
      outbox.addPersisted(after, ++sequenceNr, RunChunks.ofEvent(event));
    }
    if (!after.active()) {
      waits.clear();
    }
    shown(after);
    if (events.stream().anyMatch(e -> e instanceof RunEvent.RunResumed)) {
      startDeadline(after);
    }
    if (handingOff) {
      if (!tools.executing()) {
        actor.self().tell(new InternalCommand.HandedOff(false));
      }
      return;
    }
    proceed(after);
  }

  /** The run as it shows itself, with what its sub-agents wait for ({@link SubAgentWaits}). */
  RunResult present(RunState state) {
    return waits.present(state);
  }

  /**
   * The child of sub-agent call {@code toolCallId} waits for {@code pending}: the run shows it,
   * and who waits for the run to settle or to change hears of it.
   */
  void subAgentWaits(RunState state, String toolCallId, List<PendingRequest> pending) {
    waits.child(toolCallId, pending);
    shown(state);
    if (present(state).status().isSettled()) {
      waiters.settled(present(state));
    }
  }

  /** Streams a change of the status the run shows, and answers who waits for a change. */
  private void shown(RunState state) {
    RunResult shown = present(state);
    if (shown.status() != streamedStatus && !state.terminal()) {
      streamedStatus = shown.status();
      outbox.add(state, RunChunks.status(shown));
    }
    if (!state.terminal()) {
      waits.changed(state); // an end is told by end(), once the stream holds the run's chunks
    }
  }

  /**
   * Sets the timer of the first pending approval's expiry ({@code helix.run.approval-timeout}), at
   * once if it is past; without one, none.
   */
  void expiryTimer(RunState state) {
    Optional<Long> expiry =
        HumanDecisions.nextExpiry(state, actor.settings().approvalTimeout());
    if (expiry.isEmpty()) {
      actor.timers().cancel(EXPIRY_TIMER);
      return;
    }
    long left = Math.max(0, expiry.get() - System.currentTimeMillis());
    actor.timers()
        .startSingleTimer(
            EXPIRY_TIMER, InternalCommand.ApprovalsExpired.INSTANCE, Duration.ofMillis(left));
  }

  /**
   * The entity is asked to stop (its shard moves) while tools execute: it lets them finish and
   * records their results, for at most {@code helix.run.hand-off-wait}, starting nothing new; then
   * {@link InternalCommand.HandedOff} stops it. False when nothing executes (it may stop at once).
   */
  boolean handOff(RunState state) {
    if (handingOff) {
      return true;
    }
    if (!tools.executing()) {
      return false;
    }
    handingOff = true;
    model.stop();
    actor.context().getLog().info(
        "run {} hands off: waits for its tools before it moves", actor.runId());
    actor.timers()
        .startSingleTimer(
            HAND_OFF_TIMER, new InternalCommand.HandedOff(true), actor.settings().handOffWait());
    return true;
  }

  /**
   * Goes on from a persisted state: ends, runs the pending tool calls, or asks the model. What
   * fails unexpectedly here fails the run ({@link InternalCommand.Broken}), not its entity.
   */
  private void proceed(RunState state) {
    try {
      expiryTimer(state);
      Next next = RunDecisions.next(state);
      if (next instanceof Next.Finish) {
        finish(state);
      } else if (next instanceof Next.RunTools pending) {
        tools.run(state, agent(state), pending.calls());
      } else if (next instanceof Next.Wait) {
        settled(state);
      } else {
        model.start(state, agent(state), 1);
      }
    } catch (RuntimeException | LinkageError e) {
      actor.context().getLog().error("run {}: unexpected failure at step {}", actor.runId(), state.step(), e);
      actor.self().tell(new InternalCommand.Broken(
          "internal error at step " + state.step() + ": " + Failures.describe(e)));
    }
  }

  /** An interrupted run was woken (by a question, or after a crash): it leaves memory again. */
  private void recoveredInterrupted(RunState state) {
    streamedStatus = state.status();
    recoverOutbox(state);
    passivateLater();
  }

  /**
   * An ended run was woken (by a question, or after a crash): it streams its end again (the stream
   * may have missed it; it drops what it holds) and a root ends its stream; each leaves memory
   * again.
   */
  private void recoveredEnded(RunState state) {
    recoverOutbox(state);
    if (state.isRoot()) {
      end(state);
    } else {
      outbox.addEnd(state, RunChunks.runEnd(state));
      outbox.flush(state, false);
      passivateLater();
    }
  }

  /**
   * The run waits for someone (suspended) or to be resumed (interrupted): who waits for that hears
   * of it, and once nothing is in flight it leaves memory (a later message recovers it).
   */
  void settled(RunState state) {
    waiters.settled(present(state));
    outbox.flush(state, false);
    if (idle()) {
      passivateLater();
    }
  }

  /** An interrupt was persisted: the model call and the tools in flight stop. */
  void interrupted(RunState before, RunState after) {
    String reason = "interrupted";
    model.cut();
    tools.cancelAll(reason);
    subAgents.abortChildren(before, agent(before), reason);
    actor.timers().cancel(DEADLINE_TIMER);
  }

  /** A caller waits until the run is no longer running; {@link #settled} or {@link #finish} answers. */
  void awaitSettled(ActorRef<RunLookup> waiter) {
    waiters.awaitSettled(waiter);
  }

  /**
   * Whether a settled (suspended) run may leave memory: nothing of it is in flight, and no
   * approval of it is to expire (its timer keeps it).
   */
  boolean idle() {
    return tools.idle() && !actor.timers().isTimerActive(EXPIRY_TIMER);
  }

  private void startDeadline(RunState state) {
    RunLimits.untilDeadline(state, agent(state), System.currentTimeMillis())
        .ifPresent(
            left ->
                actor.timers()
                    .startSingleTimer(
                        DEADLINE_TIMER, InternalCommand.DeadlineReached.INSTANCE, left));
  }

  /** A caller (a parent) waits for the run to end or to wait for other than it knows. */
  void awaitChange(RunState state, RunCommand.AwaitChange await) {
    actor.context().watchWith(await.replyTo(), new InternalCommand.WaiterGone(await.replyTo()));
    if (state.terminal()) {
      // its end is told once its stream holds all its chunks (see awaitEnded)
      outbox.whenIdle(() -> waits.awaitChange(state, await));
    } else {
      waits.awaitChange(state, await);
    }
  }

  /** Passes a control on to the child run of sub-agent call {@code toolCallId}, which answers. */
  void passOn(RunState state, String toolCallId, RunCommand control) {
    actor.run(RunEntity.childRunId(actor.runId(), state.step(), toolCallId)).tell(control);
  }

  /** A caller waits for the run's end; {@link #finish} answers it. */
  void awaitEnd(ActorRef<RunLookup> waiter) {
    waiters.awaitEnd(waiter);
  }

  /**
   * A caller waits for the end of an ended run: answered once the stream holds all the run's
   * chunks, so that a parent goes on (and its root may end the stream) only after its child's.
   */
  void awaitEnded(RunState state, ActorRef<RunLookup> waiter) {
    awaitEnd(waiter);
    answerEnded(state);
  }

  private void answerEnded(RunState state) {
    outbox.whenIdle(() -> waiters.ended(present(state)));
  }

  void waiterGone(ActorRef<RunLookup> waiter) {
    waiters.gone(waiter);
    waits.gone(waiter);
  }

  /** The run has just ended: observed, then {@link #end}. */
  void finish(RunState state) {
    actor.env().observer().runEnded(
        state.runId(),
        state.agentType(),
        state.status(),
        state.error(),
        state.updatedAt() - state.createdAt());
    end(state);
  }

  /**
   * The run has ended (or recovered ended): stops its work, aborts the children of a failed run,
   * streams its end, answers who waits, and passivates it a little later.
   */
  private void end(RunState state) {
    String reason = RunDecisions.endReason(state);
    actor.timers().cancel(DEADLINE_TIMER);
    actor.timers().cancel(EXPIRY_TIMER);
    model.stop();
    tools.cancelAll(reason);
    // a parent following this run hears of its end once its stream holds all its chunks: only
    // then may the parent go on (and its root end the stream)
    outbox.whenIdle(() -> waits.changed(state));
    if (state.status() == RunStatus.failed) {
      subAgents.abortChildren(state, agent(state), reason);
    }
    outbox.addEnd(state, RunChunks.runEnd(state));
    outbox.flush(state, state.isRoot());
    if (state.isRoot() && state.origin().sessionId() != null) {
      actor.env().turns().turnEnded(TurnReport.of(state)); // its session may go on
    }
    answerEnded(state);
    waiters.settled(present(state));
    if (handingOff) {
      actor.self().tell(new InternalCommand.HandedOff(false)); // its shard waits for it to stop
    } else {
      passivateLater();
    }
  }

  private void passivateLater() {
    actor.timers()
        .startSingleTimer(
            PASSIVATE_TIMER,
            InternalCommand.PassivateFinished.INSTANCE,
            actor.settings().passivateFinishedAfter());
  }

  /** The run moves to another node or the node shuts down: it goes on there from the journal. */
  void moved(RunState state) {
    actor.env().observer().runStopped(actor.runId());
    model.stop();
    tools.cancelAll("run moved");
    outbox.flush(state, false);
  }

  /**
   * Asks the shard to stop this entity, once its stream has acknowledged all its chunks: a
   * passivated run is forgotten, so nothing would send them again.
   */
  void passivate() {
    if (!outbox.idle()) {
      passivateLater();
      return;
    }
    shard.tell(new ClusterSharding.Passivate<>(actor.self()));
  }
}
