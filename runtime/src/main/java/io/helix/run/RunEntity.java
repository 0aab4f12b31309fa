package io.helix.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.RunStatus;
import io.helix.model.ToolCall;
import io.helix.run.RunDecisions.AfterModelFailure;
import io.helix.run.RunDecisions.Next;
import io.helix.run.RunDecisions.ToolOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
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
 * #commandHandler}), with a reply enforced for each public command. The rest is beside it: {@link
 * RunDecisions} decides (state and outcome in, events out, no actor), {@link RunChunks} says what
 * is streamed and {@link ChunkOutbox} sends it, and the work in flight is held by {@link
 * ModelAttempt}, {@link ToolRunner} and {@link SubAgents}.
 */
public final class RunEntity
    extends EventSourcedBehaviorWithEnforcedReplies<RunCommand, RunEvent, RunState> {

  public static final EntityTypeKey<RunCommand> TYPE_KEY =
      EntityTypeKey.create(RunCommand.class, "Run");

  private static final String PASSIVATE_TIMER = "passivate";
  private static final String DEADLINE_TIMER = "deadline";

  private final String runId;
  private final ActorContext<RunCommand> context;
  private final TimerScheduler<RunCommand> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final RunEnvironment env;

  // Work in flight and callers waiting: not state. After a crash the journal says what to redo.
  private final ChunkOutbox outbox;
  private final ModelAttempt model;
  private final SubAgents subAgents;
  private final ToolRunner tools;
  private final List<ActorRef<RunLookup>> resultWaiters = new ArrayList<>();

  /**
   * Starts the sharding of runs on this node (idempotent, as {@link ClusterSharding#init} is).
   * Runs in flight restart by themselves after a crash (remembered entities); a finished run
   * passivates and is forgotten. The event-sourced store keeps remembered runs in the journal (set
   * here, not in HOCON, where a shaded jar's merged reference.conf may let Pekko's default win).
   */
  public static ActorRef<ShardingEnvelope<RunCommand>> init(
      ActorSystem<?> system, RunEnvironment env) {
    int shards = system.settings().config().getInt("helix.run.number-of-shards");
    return env.sharding()
        .init(
            Entity.of(TYPE_KEY, entityContext -> create(entityContext, env))
                .withStopMessage(RunCommand.Stop.INSTANCE)
                .withMessageExtractor(new HashCodeMessageExtractor<>(shards))
                .withSettings(
                    ClusterShardingSettings.create(system)
                        .withRememberEntities(true)
                        .withRememberEntitiesStoreMode(
                            ClusterShardingSettings.rememberEntitiesStoreModeEventSourced())));
  }

  public static Behavior<RunCommand> create(
      EntityContext<RunCommand> entityContext, RunEnvironment env) {
    return create(entityContext.getEntityId(), entityContext.getShard(), env);
  }

  static Behavior<RunCommand> create(
      String runId, ActorRef<ClusterSharding.ShardCommand> shard, RunEnvironment env) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(timers -> new RunEntity(runId, shard, context, timers, env)));
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
    this.shard = shard;
    this.context = context;
    this.timers = timers;
    this.env = env;
    this.outbox = new ChunkOutbox(runId, env.settings(), env.sharding(), timers);
    this.model = new ModelAttempt(runId, context, timers, env, outbox);
    this.subAgents = new SubAgents(runId, context, env, outbox);
    this.tools = new ToolRunner(runId, context, env, subAgents);
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
        .onCommand(RunCommand.Abort.class, c -> noRun(c.replyTo()));
    builder
        .forState(RunState::running)
        .onCommand(RunCommand.Start.class, this::onStartAgain)
        .onCommand(RunCommand.GetStatus.class, (state, c) -> lookup(c.replyTo(), state))
        .onCommand(RunCommand.AwaitResult.class, this::onAwaitWhileRunning)
        .onCommand(RunCommand.Abort.class, this::onAbort)
        .onCommand(InternalCommand.DeadlineReached.class, this::onDeadline)
        .onCommand(InternalCommand.ModelStreamed.class, this::onModelStreamed)
        .onCommand(InternalCommand.ModelAnswered.class, this::onModelAnswered)
        .onCommand(InternalCommand.ModelFailed.class, this::onModelFailed)
        .onCommand(InternalCommand.ModelTimedOut.class, this::onModelTimedOut)
        .onCommand(InternalCommand.RetryModel.class, this::onRetryModel)
        .onCommand(InternalCommand.ToolFinished.class, this::onToolFinished)
        .onCommand(InternalCommand.ToolEmitted.class, this::onToolEmitted)
        .onCommand(InternalCommand.SubAgentAnswered.class, this::onSubAgentAnswered)
        .onCommand(InternalCommand.SubAgentStillRunning.class, this::onSubAgentStillRunning)
        .onCommand(InternalCommand.SubAgentEnded.class, this::onSubAgentEnded)
        .onCommand(RunCommand.Stop.class, this::onStopWhileRunning);
    builder
        .forState(RunState::terminal)
        .onCommand(RunCommand.Start.class, this::onStartAgain)
        .onCommand(RunCommand.GetStatus.class, (state, c) -> lookup(c.replyTo(), state))
        .onCommand(RunCommand.AwaitResult.class, (state, c) -> lookup(c.replyTo(), state))
        .onCommand(RunCommand.Abort.class, (state, c) -> lookup(c.replyTo(), state))
        .onCommand(InternalCommand.PassivateFinished.class, c -> passivated());
    builder
        .forAnyState()
        .onCommand(InternalCommand.FlushChunks.class, this::onFlushChunks)
        .onCommand(InternalCommand.WaiterGone.class, this::onWaiterGone)
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
          .thenRun(this::passivate)
          .thenReply(start.replyTo(), unchanged -> new StartReply.Rejected(reason));
    }
    return Effect()
        .persist(RunDecisions.started(runId, start, agent.get(), now()))
        .thenRun(
            (RunState after) -> {
              outbox.add(after, RunChunks.runStart(start.message()));
              startDeadline(after);
              proceed(after);
            })
        .thenReply(start.replyTo(), after -> new StartReply.Started(after.toResult()));
  }

  private ReplyEffect<RunEvent, RunState> onStartAgain(RunState state, RunCommand.Start start) {
    return Effect()
        .reply(
            start.replyTo(),
            new StartReply.AlreadyExists(state.toResult(), RunDecisions.sameRun(state, start)));
  }

  /** No run has this id: asking woke an entity for nothing, so it leaves memory again. */
  private ReplyEffect<RunEvent, RunState> noRun(ActorRef<RunLookup> replyTo) {
    return Effect().none().thenRun(this::passivate).thenReply(replyTo, state -> RunLookup.NONE);
  }

  private ReplyEffect<RunEvent, RunState> lookup(ActorRef<RunLookup> replyTo, RunState state) {
    return Effect().reply(replyTo, new RunLookup(state.toResult()));
  }

  private ReplyEffect<RunEvent, RunState> onAwaitWhileRunning(
      RunState state, RunCommand.AwaitResult await) {
    resultWaiters.add(await.replyTo());
    // a caller asks again after its ask times out: forget the one that gave up
    context.watchWith(await.replyTo(), new InternalCommand.WaiterGone(await.replyTo()));
    return Effect().noReply(); // answered when the run ends, see finish
  }

  private ReplyEffect<RunEvent, RunState> onWaiterGone(
      RunState state, InternalCommand.WaiterGone gone) {
    resultWaiters.remove(gone.waiter());
    return Effect().noReply();
  }

  // ---- abort and deadline

  private ReplyEffect<RunEvent, RunState> onAbort(RunState state, RunCommand.Abort abort) {
    return Effect()
        .persist(RunDecisions.aborted(abort.reason(), model.interruptedAnswer(), now()))
        .thenRun(this::finish) // cancels the work in flight before the caller hears of it
        .thenReply(abort.replyTo(), after -> new RunLookup(after.toResult()));
  }

  private void startDeadline(RunState state) {
    RunDecisions.untilDeadline(state, agent(state), now())
        .ifPresent(
            left ->
                timers.startSingleTimer(
                    DEADLINE_TIMER, InternalCommand.DeadlineReached.INSTANCE, left));
  }

  private ReplyEffect<RunEvent, RunState> onDeadline(
      RunState state, InternalCommand.DeadlineReached deadline) {
    return Effect()
        .persist(RunDecisions.deadlineExceeded(agent(state), model.interruptedAnswer(), now()))
        .thenRun(this::finish)
        .thenNoReply();
  }

  // ---- the model

  private ReplyEffect<RunEvent, RunState> onModelStreamed(
      RunState state, InternalCommand.ModelStreamed streamed) {
    if (model.isCurrent(state, streamed.step(), streamed.attempt())) {
      model.streamed(state, streamed.step(), streamed.event());
    }
    return Effect().noReply();
  }

  private ReplyEffect<RunEvent, RunState> onModelAnswered(
      RunState state, InternalCommand.ModelAnswered answered) {
    if (!model.isCurrent(state, answered.step(), answered.attempt())) {
      return Effect().noReply();
    }
    model.answered();
    return persistAndProceed(
        RunDecisions.onModelAnswer(state, agent(state), answered.response(), now()));
  }

  private ReplyEffect<RunEvent, RunState> onModelTimedOut(
      RunState state, InternalCommand.ModelTimedOut timedOut) {
    return onModelFailed(
        state,
        new InternalCommand.ModelFailed(timedOut.step(), timedOut.attempt(), model.timedOut()));
  }

  private ReplyEffect<RunEvent, RunState> onModelFailed(
      RunState state, InternalCommand.ModelFailed failed) {
    if (!model.isCurrent(state, failed.step(), failed.attempt())) {
      return Effect().noReply();
    }
    double jitter = ThreadLocalRandom.current().nextDouble();
    AfterModelFailure next =
        RunDecisions.afterModelFailure(
            failed.cause(), failed.attempt(), env.settings(), jitter, now());
    model.failed(failed.step(), next);
    if (next instanceof AfterModelFailure.GiveUp giveUp) {
      return Effect().persist(giveUp.failed()).thenRun(this::finish).thenNoReply();
    }
    return Effect().noReply();
  }

  private ReplyEffect<RunEvent, RunState> onRetryModel(
      RunState state, InternalCommand.RetryModel retry) {
    if (model.isCurrent(state, retry.step(), retry.attempt())) {
      model.start(state, agent(state), retry.attempt());
    }
    return Effect().noReply();
  }

  // ---- tools and sub-agents

  private ReplyEffect<RunEvent, RunState> onToolFinished(
      RunState state, InternalCommand.ToolFinished finished) {
    Optional<ToolCallContext> toolContext = tools.finished(finished.toolCallId());
    Optional<ToolCall> call =
        RunDecisions.pendingCall(state, finished.step(), finished.toolCallId());
    if (call.isEmpty()) {
      return Effect().noReply();
    }
    JsonNode stateAtStart = toolContext.map(ToolCallContext::stateAtStart).orElse(null);
    return persistAndProceed(
        RunDecisions.onToolOutcome(
            state, agent(state), call.get(), finished.outcome(), stateAtStart, now()));
  }

  private ReplyEffect<RunEvent, RunState> onToolEmitted(
      RunState state, InternalCommand.ToolEmitted emitted) {
    if (RunDecisions.pendingCall(state, emitted.step(), emitted.toolCallId()).isPresent()) {
      outbox.add(
          state, RunChunks.custom(emitted.toolCallId(), emitted.eventName(), emitted.data()));
    }
    return Effect().noReply();
  }

  private ReplyEffect<RunEvent, RunState> onSubAgentAnswered(
      RunState state, InternalCommand.SubAgentAnswered answered) {
    int step = answered.step();
    Optional<ToolCall> call = RunDecisions.pendingCall(state, step, answered.toolCallId());
    if (call.isEmpty()) {
      return Effect().noReply();
    }
    Optional<String> notStarted =
        RunDecisions.subAgentNotStarted(answered.reply(), answered.failure());
    if (notStarted.isPresent()) {
      ToolOutcome failed = ToolOutcome.failure(notStarted.get(), null);
      return onToolFinished(state, new InternalCommand.ToolFinished(step, call.get().id(), failed));
    }
    if (state.subAgent(call.get().id()).isPresent()) {
      subAgents.await(step, call.get().id());
      return Effect().noReply();
    }
    return Effect()
        .persist(RunDecisions.subAgentStarted(runId, step, call.get(), now()))
        .thenRun(() -> subAgents.await(step, call.get().id()))
        .thenNoReply();
  }

  private ReplyEffect<RunEvent, RunState> onSubAgentStillRunning(
      RunState state, InternalCommand.SubAgentStillRunning waiting) {
    if (RunDecisions.pendingCall(state, waiting.step(), waiting.toolCallId()).isPresent()) {
      subAgents.await(waiting.step(), waiting.toolCallId());
    }
    return Effect().noReply();
  }

  private ReplyEffect<RunEvent, RunState> onSubAgentEnded(
      RunState state, InternalCommand.SubAgentEnded ended) {
    if (RunDecisions.pendingCall(state, ended.step(), ended.toolCallId()).isEmpty()) {
      return Effect().noReply();
    }
    outbox.add(state, RunChunks.subAgentEnd(ended.toolCallId(), ended.result()));
    ToolOutcome outcome = RunDecisions.subAgentEnded(ended.result());
    return onToolFinished(
        state, new InternalCommand.ToolFinished(ended.step(), ended.toolCallId(), outcome));
  }

  // ---- going on, stopping and the end

  /** Persists a step's events; then streams what they say and goes on from the state after them. */
  private ReplyEffect<RunEvent, RunState> persistAndProceed(List<RunEvent> events) {
    return Effect()
        .persist(events)
        .thenRun(
            (RunState after) -> {
              events.forEach(event -> outbox.add(after, RunChunks.ofEvent(event)));
              proceed(after);
            })
        .thenNoReply();
  }

  /** Goes on from a persisted state: ends, runs the pending tool calls, or asks the model. */
  private void proceed(RunState state) {
    Next next = RunDecisions.next(state);
    if (next instanceof Next.Finish) {
      finish(state);
    } else if (next instanceof Next.RunTools run) {
      tools.run(state, agent(state), run.calls());
    } else {
      model.start(state, agent(state), 1);
    }
  }

  private ReplyEffect<RunEvent, RunState> onFlushChunks(
      RunState state, InternalCommand.FlushChunks flush) {
    outbox.flush(state, false);
    return Effect().noReply();
  }

  private ReplyEffect<RunEvent, RunState> onStopWhileRunning(
      RunState state, RunCommand.Stop stop) {
    // moved to another node or shut down: the run continues where the journal says
    model.stop();
    tools.cancelAll("run moved");
    outbox.flush(state, false);
    return Effect().stop().thenNoReply();
  }

  /** The run has ended: stops its work, streams its end, answers who waits, passivates later. */
  private void finish(RunState state) {
    String reason = RunDecisions.endReason(state);
    timers.cancel(DEADLINE_TIMER);
    model.stop();
    tools.cancelAll(reason);
    if (state.status() == RunStatus.failed) {
      subAgents.abortChildren(state, agent(state), reason);
    }
    outbox.add(state, RunChunks.runEnd(state));
    outbox.flush(state, state.isRoot());
    resultWaiters.forEach(waiter -> waiter.tell(new RunLookup(state.toResult())));
    resultWaiters.clear();
    timers.startSingleTimer(
        PASSIVATE_TIMER,
        InternalCommand.PassivateFinished.INSTANCE,
        env.settings().passivateFinishedAfter());
  }

  private ReplyEffect<RunEvent, RunState> passivated() {
    passivate();
    return Effect().noReply();
  }

  private void passivate() {
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
  }

  // ---- recovery and events

  @Override
  public SignalHandler<RunState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .build();
  }

  private void onRecovered(RunState state) {
    if (state.running()) {
      context.getLog().info("run {} resumes after step {}", runId, state.step());
      model.resumed(state);
      startDeadline(state);
      proceed(state);
    } else if (state.terminal() && state.isRoot()) {
      // the stream may have missed its end in a crash; appends to an ended stream are dropped
      finish(state);
    }
  }

  @Override
  public EventHandler<RunState, RunEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(RunState::apply);
  }

  private Optional<AgentDefinition> agent(RunState state) {
    return env.agents().get(state.agentType());
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
