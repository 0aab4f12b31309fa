package io.helix.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.RunStatus;
import io.helix.agent.Tool;
import io.helix.json.Json;
import io.helix.model.ModelCall;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelClient;
import io.helix.model.ModelEvent;
import io.helix.model.ModelException;
import io.helix.model.ModelRequest;
import io.helix.model.ToolCall;
import io.helix.model.ToolSpec;
import io.helix.stream.ChunkTypes;
import io.helix.stream.StreamChunk;
import io.helix.stream.StreamCommand;
import io.helix.stream.StreamEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One agent run: the agent loop as an event-sourced actor. Every model response and every tool
 * result is persisted before the run moves on, so after a crash the run resumes at the first step
 * without an event: a persisted response is never requested again, and a tool call without a
 * recorded result runs again with the same idempotency key.
 */
public final class RunEntity extends EventSourcedBehavior<RunCommand, RunEvent, RunState> {

  public static final EntityTypeKey<RunCommand> TYPE_KEY =
      EntityTypeKey.create(RunCommand.class, "Run");

  private static final String MODEL_TIMER = "model-timeout";
  private static final String RETRY_TIMER = "model-retry";
  private static final String FLUSH_TIMER = "flush-chunks";
  private static final String PASSIVATE_TIMER = "passivate";

  private final String runId;
  private final ActorContext<RunCommand> context;
  private final TimerScheduler<RunCommand> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final RunEnvironment env;
  private final RunSettings settings;

  // Work in flight and callers waiting: not state. After a crash the journal says what to redo.
  private ModelCall modelCall;
  private int modelAttemptInFlight;
  private final Map<String, ToolCallContext> runningTools = new HashMap<>();
  private final List<ActorRef<RunLookup>> resultWaiters = new ArrayList<>();
  private final List<StreamChunk> unsentChunks = new ArrayList<>();

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
    super(PersistenceId.of(TYPE_KEY.name(), runId));
    this.runId = runId;
    this.shard = shard;
    this.context = context;
    this.timers = timers;
    this.env = env;
    this.settings = env.settings();
  }

  @Override
  public RunState emptyState() {
    return RunState.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public CommandHandler<RunCommand, RunEvent, RunState> commandHandler() {
    var builder = newCommandHandlerBuilder();
    builder
        .forState(state -> !state.started())
        .onCommand(RunCommand.Start.class, this::onStart)
        .onCommand(RunCommand.GetStatus.class, (state, c) -> noRun(c.replyTo()))
        .onCommand(RunCommand.AwaitResult.class, (state, c) -> noRun(c.replyTo()))
        .onCommand(RunCommand.Abort.class, (state, c) -> noRun(c.replyTo()));
    builder
        .forState(RunState::running)
        .onCommand(RunCommand.Start.class, this::onStartAgain)
        .onCommand(RunCommand.GetStatus.class, this::onGetStatus)
        .onCommand(RunCommand.AwaitResult.class, this::onAwaitWhileRunning)
        .onCommand(RunCommand.Abort.class, this::onAbort)
        .onCommand(RunCommand.ModelStreamed.class, this::onModelStreamed)
        .onCommand(RunCommand.ModelAnswered.class, this::onModelAnswered)
        .onCommand(RunCommand.ModelFailed.class, this::onModelFailed)
        .onCommand(RunCommand.ModelTimedOut.class, this::onModelTimedOut)
        .onCommand(RunCommand.RetryModel.class, this::onRetryModel)
        .onCommand(RunCommand.ToolFinished.class, this::onToolFinished)
        .onCommand(RunCommand.Stop.class, this::onStopWhileRunning);
    builder
        .forState(RunState::terminal)
        .onCommand(RunCommand.Start.class, this::onStartAgain)
        .onCommand(RunCommand.GetStatus.class, this::onGetStatus)
        .onCommand(RunCommand.AwaitResult.class, this::onGetStatusAwait)
        .onCommand(RunCommand.Abort.class, (state, c) -> reply(c.replyTo(), state))
        .onCommand(RunCommand.PassivateFinished.class, this::passivate);
    builder
        .forAnyState()
        .onCommand(RunCommand.FlushChunks.class, (state, c) -> flushed(state))
        .onCommand(RunCommand.Stop.class, (state, c) -> Effect().stop())
        // late deltas and answers of cancelled calls
        .onAnyCommand(() -> Effect().none());
    return builder.build();
  }

  // ---- starting and looking up

  private Effect<RunEvent, RunState> onStart(RunState state, RunCommand.Start start) {
    Optional<AgentDefinition> agent = env.agents().get(start.agentType());
    if (agent.isEmpty()) {
      start.replyTo().tell(new StartReply.Rejected("unknown agent type '" + start.agentType() + "'"));
      return passivate(state, null);
    }
    String streamId = start.streamId() == null ? runId : start.streamId();
    RunEvent.RunStarted started =
        new RunEvent.RunStarted(
            runId, start.agentType(), start.message(), streamId, start.parentRunId(), now());
    return Effect()
        .persist(started)
        .thenRun(
            after -> {
              start.replyTo().tell(new StartReply.Started(after.toResult()));
              ObjectNode data = Json.object().put("message", start.message());
              emit(after, ChunkTypes.RUN_START, data);
              continueRun(after);
            });
  }

  private Effect<RunEvent, RunState> onStartAgain(RunState state, RunCommand.Start start) {
    boolean same =
        state.agentType().equals(start.agentType()) && state.input().equals(start.message());
    start.replyTo().tell(new StartReply.AlreadyExists(state.toResult(), same));
    return Effect().none();
  }

  private Effect<RunEvent, RunState> noRun(ActorRef<RunLookup> replyTo) {
    replyTo.tell(RunLookup.NONE);
    return passivate(RunState.EMPTY, null);
  }

  private Effect<RunEvent, RunState> onGetStatus(RunState state, RunCommand.GetStatus get) {
    return reply(get.replyTo(), state);
  }

  private Effect<RunEvent, RunState> onGetStatusAwait(RunState state, RunCommand.AwaitResult get) {
    return reply(get.replyTo(), state);
  }

  private Effect<RunEvent, RunState> onAwaitWhileRunning(
      RunState state, RunCommand.AwaitResult await) {
    resultWaiters.add(await.replyTo());
    return Effect().none();
  }

  private Effect<RunEvent, RunState> reply(ActorRef<RunLookup> replyTo, RunState state) {
    replyTo.tell(new RunLookup(state.toResult()));
    return Effect().none();
  }

  private Effect<RunEvent, RunState> passivate(RunState state, Object ignored) {
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    return Effect().none();
  }

  // ---- abort

  private Effect<RunEvent, RunState> onAbort(RunState state, RunCommand.Abort abort) {
    String reason = abort.reason() == null || abort.reason().isBlank() ? "aborted" : abort.reason();
    return Effect()
        .persist(new RunEvent.RunAborted(reason, now()))
        .thenRun(
            after -> {
              finish(after); // cancels the work in flight before the caller hears of it
              abort.replyTo().tell(new RunLookup(after.toResult()));
            });
  }

  // ---- the model

  private void continueRun(RunState state) {
    List<ToolCall> pending = state.pendingToolCalls();
    if (pending.isEmpty()) {
      requestModel(state, 1);
    } else {
      runTools(state, pending);
    }
  }

  private void requestModel(RunState state, int attempt) {
    int step = state.step() + 1;
    modelAttemptInFlight = attempt;
    ActorRef<RunCommand> self = context.getSelf();
    Optional<AgentDefinition> agent = env.agents().get(state.agentType());
    if (agent.isEmpty()) {
      self.tell(fatal(step, attempt, "agent type '" + state.agentType() + "' is not registered"));
      return;
    }
    String modelId = agent.get().model();
    Optional<ModelClient> client = env.models().clientFor(modelId);
    if (client.isEmpty()) {
      self.tell(fatal(step, attempt, "no model provider configured for '" + modelId + "'"));
      return;
    }
    ModelRequest request =
        new ModelRequest(
            ModelCatalog.modelName(modelId),
            agent.get().systemPrompt(),
            state.messages(),
            toolSpecs(agent.get()),
            runId,
            step);
    try {
      modelCall =
          client.get().stream(request, event -> self.tell(new RunCommand.ModelStreamed(step, attempt, event)));
    } catch (RuntimeException e) {
      self.tell(new RunCommand.ModelFailed(step, attempt, e));
      return;
    }
    context.pipeToSelf(
        modelCall.response(),
        (response, error) ->
            error == null
                ? new RunCommand.ModelAnswered(step, attempt, response)
                : new RunCommand.ModelFailed(step, attempt, unwrap(error)));
    timers.startSingleTimer(
        MODEL_TIMER, new RunCommand.ModelTimedOut(step, attempt), settings.modelTimeout());
  }

  private static RunCommand.ModelFailed fatal(int step, int attempt, String message) {
    return new RunCommand.ModelFailed(step, attempt, ModelException.fatal(message));
  }

  private boolean isCurrentCall(RunState state, int step, int attempt) {
    return step == state.step() + 1 && attempt == modelAttemptInFlight;
  }

  private Effect<RunEvent, RunState> onModelStreamed(
      RunState state, RunCommand.ModelStreamed streamed) {
    if (!isCurrentCall(state, streamed.step(), streamed.attempt())) {
      return Effect().none();
    }
    // the timeout bounds silence, not the length of an answer
    timers.startSingleTimer(
        MODEL_TIMER,
        new RunCommand.ModelTimedOut(streamed.step(), streamed.attempt()),
        settings.modelTimeout());
    if (streamed.event() instanceof ModelEvent.TextDelta delta) {
      emit(state, streamed.step(), ChunkTypes.TEXT_DELTA, Json.object().put("delta", delta.text()));
    } else if (streamed.event() instanceof ModelEvent.ThinkingDelta thinking) {
      emit(
          state,
          streamed.step(),
          ChunkTypes.THINKING,
          Json.object().put("content", thinking.text()).put("isComplete", false));
    } else if (streamed.event() instanceof ModelEvent.ToolCallStarted started) {
      emit(
          state,
          streamed.step(),
          ChunkTypes.TOOL_ARG_STREAM_START,
          Json.object().put("toolCallId", started.toolCallId()).put("toolName", started.toolName()));
    } else if (streamed.event() instanceof ModelEvent.ToolCallArgumentsDelta delta) {
      emit(
          state,
          streamed.step(),
          ChunkTypes.TOOL_ARG_STREAM_DELTA,
          Json.object().put("toolCallId", delta.toolCallId()).put("delta", delta.delta()));
    }
    return Effect().none();
  }

  private Effect<RunEvent, RunState> onModelAnswered(
      RunState state, RunCommand.ModelAnswered answered) {
    if (!isCurrentCall(state, answered.step(), answered.attempt())) {
      return Effect().none();
    }
    modelCallEnded(false);
    var response = answered.response();
    RunEvent.ModelResponded responded =
        new RunEvent.ModelResponded(
            answered.step(), response.message(), response.finishReason(), response.usage(), now());
    if (!response.message().hasToolCalls()) {
      TextNode output = TextNode.valueOf(response.message().content());
      return Effect()
          .persist(List.of(responded, new RunEvent.RunCompleted(output, now())))
          .thenRun(this::finish);
    }
    return Effect()
        .persist(responded)
        .thenRun(
            after -> {
              for (ToolCall call : after.pendingToolCalls()) {
                emit(
                    after,
                    ChunkTypes.TOOL_START,
                    Json.object()
                        .put("toolCallId", call.id())
                        .put("toolName", call.name())
                        .set("arguments", call.arguments()));
              }
              runTools(after, after.pendingToolCalls());
            });
  }

  private Effect<RunEvent, RunState> onModelTimedOut(
      RunState state, RunCommand.ModelTimedOut timedOut) {
    if (!isCurrentCall(state, timedOut.step(), timedOut.attempt())) {
      return Effect().none();
    }
    String message = "model call timed out after " + settings.modelTimeout().toMillis() + " ms";
    return onModelFailed(
        state,
        new RunCommand.ModelFailed(
            timedOut.step(), timedOut.attempt(), ModelException.retryable(message)));
  }

  private Effect<RunEvent, RunState> onModelFailed(RunState state, RunCommand.ModelFailed failed) {
    if (!isCurrentCall(state, failed.step(), failed.attempt())) {
      return Effect().none();
    }
    modelCallEnded(true);
    ModelException error =
        failed.cause() instanceof ModelException known
            ? known
            // an unclassified failure is taken for a network error
            : new ModelException(String.valueOf(failed.cause()), true, null, failed.cause());
    if (error.retryable() && failed.attempt() < settings.modelMaxAttempts()) {
      int next = failed.attempt() + 1;
      Duration delay =
          error
              .retryAfter()
              .orElseGet(() -> settings.backoff(next, ThreadLocalRandom.current().nextDouble()));
      context
          .getLog()
          .info(
              "run {} step {}: model call failed ({}), retry {} in {} ms",
              runId,
              failed.step(),
              error.getMessage(),
              next,
              delay.toMillis());
      modelAttemptInFlight = next;
      timers.startSingleTimer(RETRY_TIMER, new RunCommand.RetryModel(failed.step(), next), delay);
      return Effect().none();
    }
    String message =
        "model call failed after "
            + failed.attempt()
            + (failed.attempt() == 1 ? " attempt: " : " attempts: ")
            + error.getMessage();
    return Effect().persist(new RunEvent.RunFailed(message, now())).thenRun(this::finish);
  }

  private Effect<RunEvent, RunState> onRetryModel(RunState state, RunCommand.RetryModel retry) {
    if (isCurrentCall(state, retry.step(), retry.attempt())) {
      requestModel(state, retry.attempt());
    }
    return Effect().none();
  }

  /** Forgets the call in flight; {@code cancel} also stops it (closing its connection). */
  private void modelCallEnded(boolean cancel) {
    timers.cancel(MODEL_TIMER);
    if (cancel && modelCall != null) {
      modelCall.cancel();
    }
    modelCall = null;
    modelAttemptInFlight = 0;
  }

  // ---- tools

  private void runTools(RunState state, List<ToolCall> calls) {
    AgentDefinition agent = env.agents().get(state.agentType()).orElse(null);
    for (ToolCall call : calls) {
      if (runningTools.containsKey(call.id())) {
        continue;
      }
      ToolCallContext toolContext =
          new ToolCallContext(
              runId,
              state.agentType(),
              state.step(),
              call.id(),
              new CompletableFuture<>(),
              env.blockingToolExecutor());
      runningTools.put(call.id(), toolContext);
      CompletableFuture<Object> outcome =
          execute(agent == null ? Optional.empty() : agent.tool(call.name()), call, toolContext)
              .orTimeout(settings.toolTimeout().toMillis(), TimeUnit.MILLISECONDS);
      int step = state.step();
      context.pipeToSelf(
          outcome,
          (result, error) -> {
            if (error == null) {
              try {
                JsonNode json = result == null ? NullNode.getInstance() : Json.toTree(result);
                return new RunCommand.ToolFinished(step, call.id(), json, null);
              } catch (RuntimeException e) {
                return new RunCommand.ToolFinished(
                    step, call.id(), null, "tool result is not JSON: " + e.getMessage());
              }
            }
            Throwable cause = unwrap(error);
            String message =
                cause instanceof TimeoutException
                    ? "tool timed out after " + settings.toolTimeout().toMillis() + " ms"
                    : describe(cause);
            toolContext.cancel(message);
            return new RunCommand.ToolFinished(step, call.id(), null, message);
          });
    }
  }

  private static CompletableFuture<Object> execute(
      Optional<Tool> tool, ToolCall call, ToolCallContext toolContext) {
    if (tool.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("unknown tool '" + call.name() + "'"));
    }
    try {
      return tool.get().execute(call.arguments(), toolContext).toCompletableFuture()
          .thenApply(result -> (Object) result);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private Effect<RunEvent, RunState> onToolFinished(
      RunState state, RunCommand.ToolFinished finished) {
    List<ToolCall> pending = state.pendingToolCalls();
    Optional<ToolCall> call =
        pending.stream().filter(c -> c.id().equals(finished.toolCallId())).findFirst();
    if (finished.step() != state.step() || call.isEmpty()) {
      return Effect().none();
    }
    runningTools.remove(finished.toolCallId());
    boolean success = finished.error() == null;
    RunEvent.ToolResultRecorded recorded =
        new RunEvent.ToolResultRecorded(
            finished.step(),
            finished.toolCallId(),
            call.get().name(),
            finished.result(),
            success,
            finished.error(),
            now());
    int maxSteps =
        env.agents().get(state.agentType()).map(AgentDefinition::maxSteps).orElse(Integer.MAX_VALUE);
    boolean lastOfStep = pending.size() == 1;
    if (lastOfStep && state.step() >= maxSteps) {
      RunEvent.RunFailed failed =
          new RunEvent.RunFailed(
              "reached maxSteps (" + maxSteps + ") without a final answer", now());
      return Effect()
          .persist(List.of(recorded, failed))
          .thenRun(
              after -> {
                emitToolEnd(after, recorded);
                finish(after);
              });
    }
    return Effect()
        .persist(recorded)
        .thenRun(
            after -> {
              emitToolEnd(after, recorded);
              if (after.pendingToolCalls().isEmpty()) {
                requestModel(after, 1);
              }
            });
  }

  private void emitToolEnd(RunState state, RunEvent.ToolResultRecorded recorded) {
    ObjectNode data =
        Json.object()
            .put("toolCallId", recorded.toolCallId())
            .put("toolName", recorded.toolName())
            .put("success", recorded.success());
    data.set("result", recorded.result() == null ? NullNode.getInstance() : recorded.result());
    if (recorded.error() != null) {
      data.put("error", recorded.error());
    }
    emit(state, ChunkTypes.TOOL_END, data);
  }

  private Effect<RunEvent, RunState> onStopWhileRunning(RunState state, RunCommand.Stop stop) {
    // moved to another node or shut down: the run continues where the journal says
    cancelWork("run moved");
    flush(state, false);
    return Effect().stop();
  }

  // ---- the end

  private void finish(RunState state) {
    cancelWork(state.aborted() ? "aborted: " + state.abortReason() : "run ended");
    if (state.status() == RunStatus.completed) {
      ObjectNode data = Json.object();
      data.set("output", state.output());
      emit(state, ChunkTypes.OUTPUT, data);
    } else {
      emit(
          state,
          ChunkTypes.ERROR,
          Json.object()
              .put("error", state.error())
              .put("aborted", state.aborted())
              .put("recoverable", false));
    }
    emit(state, ChunkTypes.RUN_END, Json.object().put("status", state.status().name()));
    flush(state, state.isRoot());
    resultWaiters.forEach(waiter -> waiter.tell(new RunLookup(state.toResult())));
    resultWaiters.clear();
    timers.startSingleTimer(
        PASSIVATE_TIMER, RunCommand.PassivateFinished.INSTANCE, settings.passivateFinishedAfter());
  }

  private void cancelWork(String reason) {
    timers.cancel(RETRY_TIMER);
    modelCallEnded(true);
    runningTools.values().forEach(tool -> tool.cancel(reason));
    runningTools.clear();
  }

  // ---- chunks

  /** Queues a chunk of the state's step; see {@link #emit(RunState, int, String, ObjectNode)}. */
  private void emit(RunState state, String type, ObjectNode data) {
    emit(state, state.step(), type, data);
  }

  /** Queues a chunk; token deltas are coalesced into one append per window or batch. */
  private void emit(RunState state, int step, String type, ObjectNode data) {
    unsentChunks.add(StreamChunk.of(type, runId, state.agentType(), step, now(), data));
    boolean delta =
        ChunkTypes.TEXT_DELTA.equals(type)
            || ChunkTypes.THINKING.equals(type)
            || ChunkTypes.TOOL_ARG_STREAM_DELTA.equals(type);
    if (!delta || unsentChunks.size() >= settings.chunkBatchMax()) {
      flush(state, false);
    } else if (!timers.isTimerActive(FLUSH_TIMER)) {
      timers.startSingleTimer(FLUSH_TIMER, RunCommand.FlushChunks.INSTANCE, settings.chunkWindow());
    }
  }

  private Effect<RunEvent, RunState> flushed(RunState state) {
    flush(state, false);
    return Effect().none();
  }

  private void flush(RunState state, boolean endStream) {
    timers.cancel(FLUSH_TIMER);
    if (unsentChunks.isEmpty() && !endStream) {
      return;
    }
    stream(state).tell(new StreamCommand.Append(List.copyOf(unsentChunks), endStream));
    unsentChunks.clear();
  }

  private EntityRef<StreamCommand> stream(RunState state) {
    return env.sharding().entityRefFor(StreamEntity.TYPE_KEY, state.streamId());
  }

  // ---- recovery

  @Override
  public SignalHandler<RunState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (state.running()) {
                context.getLog().info("run {} resumes at step {}", runId, state.step());
                continueRun(state);
              } else if (state.terminal() && state.isRoot()) {
                // the stream may have missed its end in a crash; appends to an ended stream are dropped
                finish(state);
              }
            })
        .build();
  }

  @Override
  public EventHandler<RunState, RunEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(RunState::apply);
  }

  // ---- helpers

  private static List<ToolSpec> toolSpecs(AgentDefinition agent) {
    return agent.tools().stream()
        .map(t -> new ToolSpec(t.name(), t.description(), t.inputSchema()))
        .toList();
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static String describe(Throwable cause) {
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
