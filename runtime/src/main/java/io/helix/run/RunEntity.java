package io.helix.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.RunStatus;
import io.helix.model.ToolCall;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One agent run: the agent loop as an event-sourced actor. Every model response and every tool
 * result is persisted before the run moves on, so after a crash the run resumes at the first step
 * without an event: a persisted response is never requested again, and a tool call without a
 * recorded result runs again with the same idempotency key. Stream chunks follow from the
 * persisted events; token deltas are streamed as they arrive.
 *
 * <p>This class is the run's protocol: per state, which command does what ({@link
 * #commandHandler}), with a reply enforced for each public command, what it persists, and how it
 * recovers. The rest is beside it: {@link RunDecisions} decides (state and outcome in, events out,
 * no actor); {@link RunWork} carries out what follows a persisted event, with the work in flight
 * in {@link ModelAttempt}, {@link ToolRunner} and {@link SubAgents}, and what their reports do in
 * {@link ModelReplies} and {@link SubAgentReplies}; {@link RunChunks} says what
 * is streamed and {@link ChunkOutbox} sends it.
 *
 * <p>At some 390 lines it is one of the module's longest classes on purpose: every command a run
 * takes, in every state, with what it persists and answers, reads in this one place; each handler
 * is a few lines that hand the work to the classes above.
 */
public final class RunEntity
    extends EventSourcedBehaviorWithEnforcedReplies<RunCommand, RunEvent, RunState> {

  public static final EntityTypeKey<RunCommand> TYPE_KEY =
      EntityTypeKey.create(RunCommand.class, "Run");

  private final String runId;
  private final RunEnvironment env;
  // work in flight and callers waiting: not state. After a crash the journal says what to redo.
  private final RunWork work;
  private final RunControl control;
  private final SubAgentReplies subAgentReplies;
  private final ModelReplies modelReplies;

  /**
   * Starts the sharding of runs on this node (idempotent, as {@link ClusterSharding#init} is).
   * Runs in flight restart by themselves after a crash (remembered entities); a finished run
   * passivates and is forgotten. The event-sourced store keeps remembered runs in the journal (set
   * here, not in HOCON, where a shaded jar's merged reference.conf may let Pekko's default win).
   */
  public static ActorRef<ShardingEnvelope<RunCommand>> init(
      ActorSystem<?> system, RunEnvironment env) {
    com.typesafe.config.Config run = system.settings().config().getConfig("helix.run");
    ClusterShardingSettings settings = ClusterShardingSettings.create(system);
    return env.sharding()
        .init(
            Entity.of(TYPE_KEY, entityContext -> create(entityContext, env))
                .withStopMessage(RunCommand.Stop.INSTANCE)
                .withMessageExtractor(
                    new HashCodeMessageExtractor<>(run.getInt("number-of-shards")))
                .withSettings(
                    settings
                        .withRememberEntities(true)
                        .withRememberEntitiesStoreMode(
                            ClusterShardingSettings.rememberEntitiesStoreModeEventSourced())
                        .withTuningParameters(
                            RunSettings.recoveryRate(
                                settings.tuningParameters(), run.getConfig("recovery")))));
  }

  public static Behavior<RunCommand> create(
      EntityContext<RunCommand> entityContext, RunEnvironment env) {
    return create(entityContext.getEntityId(), entityContext.getShard(), env);
  }

  static Behavior<RunCommand> create(
      String runId, ActorRef<ClusterSharding.ShardCommand> shard, RunEnvironment env) {
    return Behaviors.withMdc(
        RunCommand.class,
        java.util.Map.of("runId", runId),
        Behaviors.setup(
            context ->
                Behaviors.withTimers(
                    timers -> new RunEntity(runId, shard, context, timers, env).guarded(shard))));
  }

  private RunEntity(
      String runId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ActorContext<RunCommand> context,
      TimerScheduler<RunCommand> timers,
      RunEnvironment env) {
    super(
        PersistenceId.of(TYPE_KEY.name(), runId),
        // a journal that fails a write: start again from the journal, after a pause
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.runId = runId;
    this.env = env;
    this.work =
        new RunWork(
            new RunActor(runId, context, timers, env), shard, () -> lastSequenceNumber(context));
    this.control = new RunControl(this::Effect, work, env.settings());
    this.subAgentReplies =
        new SubAgentReplies(runId, env.settings(), this::Effect, work, this::onToolFinished);
    this.modelReplies =
        new ModelReplies(env.settings(), this::Effect, work, this::persistAndProceed);
  }

  /** This run, given up once its recovery has failed too often ({@link RecoveryGuard}). */
  private Behavior<RunCommand> guarded(ActorRef<ClusterSharding.ShardCommand> shard) {
    return work.recovery.guard(this, shard);
  }

  /** The id of the sub-agent run a tool call starts: the same whenever the call is redone. */
  static String childRunId(String parentRunId, int step, String toolCallId) {
    String key = parentRunId + "/" + step + "/" + toolCallId;
    return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
  }

  @Override
  public RunState emptyState() {
    return RunState.EMPTY;
  }

  @Override
  public Set<String> tagsFor(RunEvent event) {
    return Set.of(env.settings().tagOf(runId));
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(env.settings().snapshotEvery(), 2);
  }

  @Override
  public CommandHandlerWithReply<RunCommand, RunEvent, RunState> commandHandler() {
    var builder = newCommandHandlerWithReplyBuilder();
    builder
        .forState(state -> !state.started())
        .onCommand(RunCommand.Start.class, this::onStart)
        .onCommand(RunCommand.GetStatus.class, c -> noRun(c.replyTo()))
        .onCommand(RunCommand.AwaitResult.class, c -> noRun(c.replyTo()))
        .onCommand(RunCommand.AwaitSettled.class, c -> noRun(c.replyTo()))
        .onCommand(RunCommand.AwaitChange.class, c -> noRun(c.replyTo()))
        .onCommand(RunCommand.Abort.class, c -> noRun(c.replyTo()))
        .onCommand(RunCommand.Approve.class, c -> control.noRun(c.replyTo()))
        .onCommand(RunCommand.SubmitToolResult.class, c -> control.noRun(c.replyTo()))
        .onCommand(RunCommand.Interrupt.class, c -> control.noRun(c.replyTo()))
        .onCommand(RunCommand.Resume.class, c -> control.noRun(c.replyTo()))
        .onCommand(
            RunCommand.ReportTurn.class,
            c ->
                Effect()
                    .none()
                    .thenRun(work::passivate)
                    .thenReply(c.replyTo(), unchanged -> TurnReport.none(runId)));
    builder
        .forState(RunState::interrupted)
        .onCommand(RunCommand.AwaitResult.class, this::onAwaitWhileRunning)
        .onCommand(RunCommand.Abort.class, this::onAbort)
        .onCommand(InternalCommand.PassivateFinished.class, c -> passivate());
    builder
        .forState(RunState::active)
        .onCommand(RunCommand.AwaitResult.class, this::onAwaitWhileRunning)
        .onCommand(RunCommand.AwaitSettled.class, this::onAwaitSettled)
        .onCommand(RunCommand.Abort.class, this::onAbort)
        .onCommand(
            InternalCommand.PassivateFinished.class,
            (state, c) ->
                state.status() == RunStatus.suspended && work.idle() ? passivate() : Effect().noReply())
        .onCommand(InternalCommand.DeadlineReached.class, this::onDeadline)
        .onCommand(InternalCommand.ModelStreamed.class, modelReplies::streamed)
        .onCommand(InternalCommand.ModelAnswered.class, modelReplies::answered)
        .onCommand(InternalCommand.ModelFailed.class, modelReplies::failed)
        .onCommand(InternalCommand.ModelTimedOut.class, modelReplies::timedOut)
        .onCommand(InternalCommand.RetryModel.class, modelReplies::retry)
        .onCommand(InternalCommand.ApprovalsExpired.class, control::expire)
        .onCommand(InternalCommand.ToolFinished.class, this::onToolFinished)
        .onCommand(InternalCommand.ToolEmitted.class, this::onToolEmitted)
        .onCommand(InternalCommand.SubAgentAnswered.class, subAgentReplies::answered)
        .onCommand(InternalCommand.SubAgentStillRunning.class, subAgentReplies::stillRunning)
        .onCommand(InternalCommand.SubAgentChanged.class, subAgentReplies::changed)
        .onCommand(InternalCommand.Broken.class, this::onBroken)
        .onCommand(RunCommand.Stop.class, this::onStopWhileRunning);
    builder
        .forState(RunState::terminal)
        .onCommand(
            RunCommand.AwaitResult.class,
            (state, c) ->
                Effect().none().thenRun(() -> work.awaitEnded(state, c.replyTo())).thenNoReply())
        .onCommand(RunCommand.Abort.class, (state, c) -> lookup(c.replyTo(), state))
        .onCommand(InternalCommand.PassivateFinished.class, c -> passivate());
    builder
        .forAnyState() // a started run, in any status
        .onCommand(RunCommand.Start.class, this::onStartAgain)
        .onCommand(RunCommand.GetStatus.class, (state, c) -> lookup(c.replyTo(), state))
        .onCommand(RunCommand.AwaitSettled.class, (state, c) -> lookup(c.replyTo(), state))
        .onCommand(
            RunCommand.AwaitChange.class,
            (state, c) -> Effect().none().thenRun(s -> work.awaitChange(s, c)).thenNoReply())
        .onCommand(RunCommand.Approve.class, control::approve)
        .onCommand(RunCommand.SubmitToolResult.class, control::toolResult)
        .onCommand(RunCommand.Interrupt.class, control::interrupt)
        .onCommand(RunCommand.Resume.class, control::resume)
        .onCommand(
            RunCommand.ReportTurn.class, (state, c) -> Effect().reply(c.replyTo(), TurnReport.of(state)))
        .onCommand(
            InternalCommand.OutboxCommand.class,
            (state, c) -> Effect().none().thenRun(() -> work.outbox.on(state, c)).thenNoReply())
        .onCommand(
            InternalCommand.WaiterGone.class,
            c -> Effect().none().thenRun(() -> work.waiterGone(c.waiter())).thenNoReply())
        .onCommand(InternalCommand.HandedOff.class, this::onHandedOff)
        .onCommand(RunCommand.Stop.class, c -> Effect().stop().thenNoReply())
        // late deltas and answers of cancelled work
        .onAnyCommand(() -> Effect().noReply());
    return builder.build();
  }

  // ---- starting and looking up

  private ReplyEffect<RunEvent, RunState> onStart(RunState state, RunCommand.Start start) {
    Optional<AgentDefinition> agent = env.agents().get(start.agentType());
    if (agent.isEmpty()) {
      String reason = "unknown agent type '" + start.agentType() + "'";
      return Effect()
          .none()
          .thenRun(work::passivate)
          .thenReply(start.replyTo(), unchanged -> new StartReply.Rejected(reason));
    }
    String traceParent =
        env.observer()
            .runStarting(runId, start.agentType(), start.parentRunId(), start.traceParent());
    return Effect()
        .persist(RunDecisions.started(runId, start, agent.get(), now(), traceParent))
        .thenRun((RunState after) -> work.started(after, start.message()))
        .thenReply(start.replyTo(), after -> new StartReply.Started(after.toResult()));
  }

  private ReplyEffect<RunEvent, RunState> onStartAgain(RunState state, RunCommand.Start start) {
    boolean sameRun = RunDecisions.sameRun(state, start);
    return Effect().reply(start.replyTo(), new StartReply.AlreadyExists(state.toResult(), sameRun));
  }

  /** No run has this id: asking woke an entity for nothing, so it leaves memory again. */
  private ReplyEffect<RunEvent, RunState> noRun(ActorRef<RunLookup> replyTo) {
    return Effect().none().thenRun(work::passivate).thenReply(replyTo, state -> RunLookup.NONE);
  }

  private ReplyEffect<RunEvent, RunState> lookup(ActorRef<RunLookup> replyTo, RunState state) {
    return Effect().reply(replyTo, new RunLookup(work.present(state)));
  }

  private ReplyEffect<RunEvent, RunState> passivate() {
    return Effect().none().thenRun(work::passivate).thenNoReply();
  }

  private ReplyEffect<RunEvent, RunState> onAwaitSettled(
      RunState state, RunCommand.AwaitSettled await) {
    if (work.present(state).status().isSettled()) {
      return lookup(await.replyTo(), state);
    }
    work.awaitSettled(await.replyTo());
    return Effect().noReply(); // answered when the run settles or ends
  }

  private ReplyEffect<RunEvent, RunState> onAwaitWhileRunning(
      RunState state, RunCommand.AwaitResult await) {
    work.awaitEnd(await.replyTo());
    return Effect().noReply(); // answered when the run ends
  }

  // ---- abort and deadline

  private ReplyEffect<RunEvent, RunState> onAbort(RunState state, RunCommand.Abort abort) {
    return Effect()
        .persist(RunDecisions.aborted(abort.reason(), work.model.interruptedAnswer(), now()))
        .thenRun(work::finish) // cancels the work in flight before the caller hears of it
        .thenReply(abort.replyTo(), after -> new RunLookup(after.toResult()));
  }

  private ReplyEffect<RunEvent, RunState> onDeadline(
      RunState state, InternalCommand.DeadlineReached deadline) {
    return Effect()
        .persist(
            RunLimits.deadlineExceeded(
                work.agent(state), work.model.interruptedAnswer(), now()))
        .thenRun(work::finish)
        .thenNoReply();
  }

  private ReplyEffect<RunEvent, RunState> onBroken(RunState state, InternalCommand.Broken broken) {
    return Effect()
        .persist(new RunEvent.RunFailed(broken.reason(), work.model.interruptedAnswer(), now()))
        .thenRun(work::finish)
        .thenNoReply();
  }

  // ---- tools and sub-agents

  private ReplyEffect<RunEvent, RunState> onToolFinished(
      RunState state, InternalCommand.ToolFinished finished) {
    Optional<ToolCall> call =
        RunDecisions.pendingCall(state, finished.step(), finished.toolCallId());
    Optional<ToolCallContext> toolContext =
        work.tools.finished(finished.toolCallId(), state.agentType(), call, finished.outcome());
    if (call.isEmpty()) {
      return Effect().noReply();
    }
    JsonNode stateAtStart = toolContext.map(ToolCallContext::stateAtStart).orElse(null);
    return persistAndProceed(
        RunDecisions.onToolOutcome(
            state, work.agent(state), call.get(), finished.outcome(), stateAtStart, now()));
  }

  private ReplyEffect<RunEvent, RunState> onToolEmitted(
      RunState state, InternalCommand.ToolEmitted emitted) {
    if (RunDecisions.pendingCall(state, emitted.step(), emitted.toolCallId()).isPresent()) {
      work.outbox.add(
          state, RunChunks.custom(emitted.toolCallId(), emitted.eventName(), emitted.data()));
    }
    return Effect().noReply();
  }

  // ---- going on, stopping and the end

  /** Persists a step's events; then streams what they say and goes on from the state after them. */
  private ReplyEffect<RunEvent, RunState> persistAndProceed(List<RunEvent> events) {
    return Effect()
        .persist(events)
        .thenRun((RunState after) -> work.persisted(events, after))
        .thenNoReply();
  }

  private ReplyEffect<RunEvent, RunState> onStopWhileRunning(
      RunState state, RunCommand.Stop stop) {
    // moved or shut down: it goes on from the journal once its tools here recorded (for a while)
    if (work.handOff(state)) {
      return Effect().noReply();
    }
    work.moved(state);
    return Effect().stop().thenNoReply();
  }

  private ReplyEffect<RunEvent, RunState> onHandedOff(
      RunState state, InternalCommand.HandedOff handedOff) {
    work.moved(state);
    return Effect().stop().thenNoReply();
  }

  // ---- recovery and events

  @Override
  public SignalHandler<RunState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), work::recovered)
        .onSignal(RecoveryFailed.class, (s, f) -> work.recovery.recoveryFailed(f.getFailure()))
        .build();
  }

  @Override
  public EventHandler<RunState, RunEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(RunState::apply);
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
