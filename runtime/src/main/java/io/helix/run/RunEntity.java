package io.helix.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.agent.Tool;
import io.helix.json.Json;
import io.helix.json.JsonPatch;
import io.helix.json.JsonValidator;
import io.helix.model.AssistantMessage;
import io.helix.model.ModelCall;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelClient;
import io.helix.model.ModelEvent;
import io.helix.model.ModelException;
import io.helix.model.ModelRequest;
import io.helix.model.ModelResponse;
import io.helix.model.ToolCall;
import io.helix.stream.ChunkTypes;
import io.helix.stream.StreamChunk;
import io.helix.stream.StreamCommand;
import io.helix.stream.StreamEntity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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
 * recorded result runs again with the same idempotency key. Stream chunks follow from the
 * persisted events; token deltas are streamed as they arrive.
 */
public final class RunEntity extends EventSourcedBehavior<RunCommand, RunEvent, RunState> {

  public static final EntityTypeKey<RunCommand> TYPE_KEY =
      EntityTypeKey.create(RunCommand.class, "Run");

  private static final String MODEL_TIMER = "model-timeout";
  private static final String RETRY_TIMER = "model-retry";
  private static final String FLUSH_TIMER = "flush-chunks";
  private static final String PASSIVATE_TIMER = "passivate";
  private static final String DEADLINE_TIMER = "deadline";

  private final String runId;
  private final ActorContext<RunCommand> context;
  private final TimerScheduler<RunCommand> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final RunEnvironment env;
  private final RunSettings settings;

  // Work in flight and callers waiting: not state. After a crash the journal says what to redo.
  private ModelCall modelCall;
  private int modelAttemptInFlight;
  // deltas of the current step may be on the stream from an attempt that did not complete
  private boolean stepDeltasMayBeStale;
  // what the attempt in flight has streamed so far: kept if an abort or the deadline ends the run
  private final StringBuilder streamedText = new StringBuilder();
  private final StringBuilder streamedThinking = new StringBuilder();
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
    return Set.of(settings.tagOf(runId));
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
        .onCommand(RunCommand.GetStatus.class, (state, c) -> reply(c.replyTo(), state))
        .onCommand(RunCommand.AwaitResult.class, this::onAwaitWhileRunning)
        .onCommand(RunCommand.Abort.class, this::onAbort)
        .onCommand(RunCommand.DeadlineReached.class, this::onDeadline)
        .onCommand(RunCommand.ModelStreamed.class, this::onModelStreamed)
        .onCommand(RunCommand.ModelAnswered.class, this::onModelAnswered)
        .onCommand(RunCommand.ModelFailed.class, this::onModelFailed)
        .onCommand(RunCommand.ModelTimedOut.class, this::onModelTimedOut)
        .onCommand(RunCommand.RetryModel.class, this::onRetryModel)
        .onCommand(RunCommand.ToolFinished.class, this::onToolFinished)
        .onCommand(RunCommand.ToolEmitted.class, this::onToolEmitted)
        .onCommand(RunCommand.SubAgentAnswered.class, this::onSubAgentAnswered)
        .onCommand(RunCommand.SubAgentStillRunning.class, this::onSubAgentStillRunning)
        .onCommand(RunCommand.SubAgentEnded.class, this::onSubAgentEnded)
        .onCommand(RunCommand.Stop.class, this::onStopWhileRunning);
    builder
        .forState(RunState::terminal)
        .onCommand(RunCommand.Start.class, this::onStartAgain)
        .onCommand(RunCommand.GetStatus.class, (state, c) -> reply(c.replyTo(), state))
        .onCommand(RunCommand.AwaitResult.class, (state, c) -> reply(c.replyTo(), state))
        .onCommand(RunCommand.Abort.class, (state, c) -> reply(c.replyTo(), state))
        .onCommand(RunCommand.PassivateFinished.class, (state, c) -> passivate());
    builder
        .forAnyState()
        .onCommand(RunCommand.FlushChunks.class, (state, c) -> flushed(state))
        .onCommand(
            RunCommand.WaiterGone.class,
            (state, c) -> {
              resultWaiters.remove(c.waiter());
              return Effect().none();
            })
        .onCommand(RunCommand.Stop.class, (state, c) -> Effect().stop())
        // late deltas and answers of cancelled work
        .onAnyCommand(() -> Effect().none());
    return builder.build();
  }

  // ---- starting and looking up

  private Effect<RunEvent, RunState> onStart(RunState state, RunCommand.Start start) {
    Optional<AgentDefinition> agent = env.agents().get(start.agentType());
    if (agent.isEmpty()) {
      start.replyTo().tell(new StartReply.Rejected("unknown agent type '" + start.agentType() + "'"));
      return passivate();
    }
    String streamId = start.streamId() == null ? runId : start.streamId();
    RunEvent.RunStarted started =
        new RunEvent.RunStarted(
            runId,
            start.agentType(),
            start.message(),
            streamId,
            start.parentRunId(),
            agent.get().initialState(),
            now());
    return Effect()
        .persist(started)
        .thenRun(
            after -> {
              start.replyTo().tell(new StartReply.Started(after.toResult()));
              emit(after, ChunkTypes.RUN_START, Json.object().put("message", start.message()));
              startDeadline(after);
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
    return passivate();
  }

  private Effect<RunEvent, RunState> onAwaitWhileRunning(
      RunState state, RunCommand.AwaitResult await) {
    resultWaiters.add(await.replyTo());
    // a caller asks again after its ask times out: forget the one that gave up
    context.watchWith(await.replyTo(), new RunCommand.WaiterGone(await.replyTo()));
    return Effect().none();
  }

  private Effect<RunEvent, RunState> reply(ActorRef<RunLookup> replyTo, RunState state) {
    replyTo.tell(new RunLookup(state.toResult()));
    return Effect().none();
  }

  private Effect<RunEvent, RunState> passivate() {
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    return Effect().none();
  }

  // ---- abort and deadline

  private Effect<RunEvent, RunState> onAbort(RunState state, RunCommand.Abort abort) {
    String reason = abort.reason() == null || abort.reason().isBlank() ? "aborted" : abort.reason();
    return Effect()
        .persist(new RunEvent.RunAborted(reason, interruptedAnswer(), now()))
        .thenRun(
            after -> {
              finish(after); // cancels the work in flight before the caller hears of it
              abort.replyTo().tell(new RunLookup(after.toResult()));
            });
  }

  /** What the model streamed in the call in flight, which an abort or deadline cuts short; or null. */
  private AssistantMessage interruptedAnswer() {
    if (streamedText.isEmpty() && streamedThinking.isEmpty()) {
      return null;
    }
    return new AssistantMessage(
        streamedText.toString(),
        List.of(),
        streamedThinking.isEmpty() ? null : streamedThinking.toString());
  }

  private void startDeadline(RunState state) {
    agent(state)
        .map(AgentDefinition::deadline)
        .ifPresent(
            deadline -> {
              long left = state.createdAt() + deadline.toMillis() - now();
              timers.startSingleTimer(
                  DEADLINE_TIMER,
                  RunCommand.DeadlineReached.INSTANCE,
                  Duration.ofMillis(Math.max(0, left)));
            });
  }

  private Effect<RunEvent, RunState> onDeadline(RunState state, RunCommand.DeadlineReached d) {
    Duration deadline = agent(state).map(AgentDefinition::deadline).orElse(Duration.ZERO);
    return Effect()
        .persist(
            new RunEvent.RunFailed(
                "run deadline of " + deadline + " exceeded", interruptedAnswer(), now()))
        .thenRun(this::finish);
  }

  // ---- the model

  /** Goes on from the state: runs the pending tool calls, or asks the model for the next step. */
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
    streamedText.setLength(0);
    streamedThinking.setLength(0);
    ActorRef<RunCommand> self = context.getSelf();
    Optional<AgentDefinition> agent = agent(state);
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
    if (stepDeltasMayBeStale) {
      emit(
          state,
          step,
          ChunkTypes.STREAM_RESYNC,
          Json.object().put("reason", "the model call of step " + step + " is made again"));
      stepDeltasMayBeStale = false;
    }
    ModelRequest request =
        new ModelRequest(
            ModelCatalog.modelName(modelId),
            agent.get().systemPrompt(),
            state.messages(),
            agent.get().modelTools(),
            runId,
            step);
    try {
      modelCall =
          client
              .get()
              .stream(request, event -> self.tell(new RunCommand.ModelStreamed(step, attempt, event)));
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
    int step = streamed.step();
    ModelEvent event = streamed.event();
    stepDeltasMayBeStale = true;
    if (event instanceof ModelEvent.TextDelta delta) {
      streamedText.append(delta.text());
      emit(state, step, ChunkTypes.TEXT_DELTA, Json.object().put("delta", delta.text()));
    } else if (event instanceof ModelEvent.ThinkingDelta thinking) {
      streamedThinking.append(thinking.text());
      emit(
          state,
          step,
          ChunkTypes.THINKING,
          Json.object().put("content", thinking.text()).put("isComplete", false));
    } else if (event instanceof ModelEvent.ToolCallStarted started) {
      emit(
          state,
          step,
          ChunkTypes.TOOL_ARG_STREAM_START,
          Json.object().put("toolCallId", started.toolCallId()).put("toolName", started.toolName()));
    } else if (event instanceof ModelEvent.ToolCallArgumentsDelta delta) {
      emit(
          state,
          step,
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
    stepDeltasMayBeStale = false;
    ModelResponse response = answered.response();
    AssistantMessage message = response.message();
    int step = answered.step();
    List<RunEvent> events = new ArrayList<>();
    events.add(
        new RunEvent.ModelResponded(
            step, message, response.finishReason(), response.usage(), now()));
    JsonNode outputSchema = agent(state).map(AgentDefinition::outputSchema).orElse(null);
    Optional<ToolCall> finishCall =
        message.toolCalls().stream()
            .filter(call -> AgentDefinition.FINISH_TOOL.equals(call.name()))
            .findFirst();
    if (outputSchema == null) {
      if (!message.hasToolCalls()) {
        events.add(new RunEvent.RunCompleted(TextNode.valueOf(message.content()), now()));
      }
    } else if (finishCall.isPresent()) {
      ToolCall call = finishCall.get();
      List<String> problems = JsonValidator.of(outputSchema).problems(call.arguments());
      if (problems.isEmpty()) {
        events.add(toolResult(step, call, call.arguments(), null));
        events.add(new RunEvent.RunCompleted(call.arguments(), now()));
      } else {
        events.add(
            toolResult(step, call, null, "the output does not match the schema: " + problems));
      }
    } else if (!message.hasToolCalls()) {
      // structured output given as text: accepted when it is valid JSON for the schema
      Optional<JsonNode> output = parseValid(message.content(), outputSchema);
      events.add(
          output.isPresent()
              ? new RunEvent.RunCompleted(output.get(), now())
              : new RunEvent.OutputRequested(
                  step,
                  "Finish by calling the " + AgentDefinition.FINISH_TOOL
                      + " tool with the output as its arguments.",
                  now()));
    }
    return persistAndContinue(state, events);
  }

  private static Optional<JsonNode> parseValid(String text, JsonNode schema) {
    try {
      JsonNode parsed = Json.parse(text);
      return JsonValidator.of(schema).problems(parsed).isEmpty()
          ? Optional.of(parsed)
          : Optional.empty();
    } catch (IllegalArgumentException notJson) {
      return Optional.empty();
    }
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
              "run {} step {}: model call failed ({}), attempt {} in {} ms",
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
    return Effect().persist(new RunEvent.RunFailed(message, null, now())).thenRun(this::finish);
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
    // what an ended call streamed is either in its response or stale (a retry streams anew)
    streamedText.setLength(0);
    streamedThinking.setLength(0);
  }

  // ---- tools and sub-agents

  private void runTools(RunState state, List<ToolCall> calls) {
    AgentDefinition agent = agent(state).orElse(null);
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
              env.blockingToolExecutor(),
              context.getSelf(),
              state.customState());
      runningTools.put(call.id(), toolContext);
      Optional<AgentDefinition> subAgent =
          agent == null ? Optional.empty() : agent.subAgent(call.name());
      if (subAgent.isPresent()) {
        startSubAgent(state, call, subAgent.get());
      } else {
        runTool(state, call, agent == null ? Optional.empty() : agent.tool(call.name()), toolContext);
      }
    }
  }

  private void runTool(
      RunState state, ToolCall call, Optional<Tool> tool, ToolCallContext toolContext) {
    CompletableFuture<Object> outcome =
        execute(tool, call, toolContext)
            .orTimeout(settings.toolTimeout().toMillis(), TimeUnit.MILLISECONDS);
    int step = state.step();
    context.pipeToSelf(
        outcome,
        (result, error) -> {
          JsonNode stateAfter = toolContext.stateAfter();
          if (error == null) {
            try {
              JsonNode json = result == null ? NullNode.getInstance() : Json.toTree(result);
              return new RunCommand.ToolFinished(step, call.id(), json, null, stateAfter);
            } catch (RuntimeException e) {
              return new RunCommand.ToolFinished(
                  step, call.id(), null, "tool result is not JSON: " + e.getMessage(), stateAfter);
            }
          }
          Throwable cause = unwrap(error);
          String message =
              cause instanceof TimeoutException
                  ? "tool timed out after " + settings.toolTimeout().toMillis() + " ms"
                  : describe(cause);
          toolContext.cancel(message);
          return new RunCommand.ToolFinished(step, call.id(), null, message, stateAfter);
        });
  }

  private static CompletableFuture<Object> execute(
      Optional<Tool> tool, ToolCall call, ToolCallContext toolContext) {
    if (tool.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("unknown tool '" + call.name() + "'"));
    }
    List<String> problems = JsonValidator.of(tool.get().inputSchema()).problems(call.arguments());
    if (!problems.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("invalid arguments for '" + call.name() + "': " + problems));
    }
    try {
      return tool.get()
          .execute(call.arguments(), toolContext)
          .toCompletableFuture()
          .thenApply(result -> (Object) result);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private Effect<RunEvent, RunState> onToolFinished(
      RunState state, RunCommand.ToolFinished finished) {
    Optional<ToolCall> call = pendingCall(state, finished.step(), finished.toolCallId());
    ToolCallContext toolContext = runningTools.remove(finished.toolCallId());
    if (call.isEmpty()) {
      return Effect().none();
    }
    List<RunEvent> events = new ArrayList<>();
    if (finished.stateAfter() != null && toolContext != null) {
      // the call's own changes, not what calls running beside it did
      ArrayNode patch = JsonPatch.diff(toolContext.stateAtStart(), finished.stateAfter());
      if (!patch.isEmpty()) {
        events.add(new RunEvent.StateUpdated(finished.step(), finished.toolCallId(), patch, now()));
      }
    }
    events.add(toolResult(finished.step(), call.get(), finished.result(), finished.error()));
    return persistAndContinue(state, events);
  }

  private Effect<RunEvent, RunState> onToolEmitted(
      RunState state, RunCommand.ToolEmitted emitted) {
    if (pendingCall(state, emitted.step(), emitted.toolCallId()).isPresent()) {
      ObjectNode data =
          Json.object().put("toolCallId", emitted.toolCallId()).put("eventName", emitted.eventName());
      data.set("data", emitted.data());
      emit(state, ChunkTypes.CUSTOM, data);
    }
    return Effect().none();
  }

  private void startSubAgent(RunState state, ToolCall call, AgentDefinition subAgent) {
    int step = state.step();
    String message = call.arguments() == null ? null : call.arguments().path("message").asText(null);
    if (message == null) {
      context
          .getSelf()
          .tell(
              new RunCommand.ToolFinished(
                  step, call.id(), null, "a sub-agent call needs a 'message'", null));
      return;
    }
    String childId = childRunId(runId, step, call.id());
    if (state.subAgent(call.id()).isEmpty()) {
      // before the child starts, so its chunks follow this one
      emit(
          state,
          ChunkTypes.SUBAGENT_START,
          Json.object()
              .put("toolCallId", call.id())
              .put("subAgentType", subAgent.name())
              .put("subAgentId", childId)
              .put("message", message));
      flush(state, false);
    }
    context.ask(
        StartReply.class,
        run(childId),
        settings.subAgentAskTimeout(),
        replyTo -> new RunCommand.Start(subAgent.name(), message, runId, state.streamId(), replyTo),
        (reply, failure) -> new RunCommand.SubAgentAnswered(step, call.id(), reply, failure));
  }

  private Effect<RunEvent, RunState> onSubAgentAnswered(
      RunState state, RunCommand.SubAgentAnswered answered) {
    Optional<ToolCall> call = pendingCall(state, answered.step(), answered.toolCallId());
    if (call.isEmpty()) {
      return Effect().none();
    }
    StartReply reply = answered.reply();
    boolean started =
        reply instanceof StartReply.Started
            || (reply instanceof StartReply.AlreadyExists existing && existing.sameInput());
    if (!started) {
      String why =
          answered.failure() != null
              ? "the sub-agent did not start: " + describe(answered.failure())
              : "the sub-agent did not start: " + reply;
      return onToolFinished(
          state, new RunCommand.ToolFinished(answered.step(), call.get().id(), null, why, null));
    }
    String childId = childRunId(runId, answered.step(), call.get().id());
    if (state.subAgent(call.get().id()).isPresent()) {
      awaitSubAgent(answered.step(), call.get().id(), childId);
      return Effect().none();
    }
    String childType = call.get().name().substring(AgentDefinition.SUB_AGENT_PREFIX.length());
    return Effect()
        .persist(
            new RunEvent.SubAgentStarted(
                answered.step(), call.get().id(), childId, childType, now()))
        .thenRun(after -> awaitSubAgent(answered.step(), call.get().id(), childId));
  }

  /** Waits for the child's result in slices, so a child that moves is followed. */
  private void awaitSubAgent(int step, String toolCallId, String childId) {
    context.ask(
        RunLookup.class,
        run(childId),
        settings.subAgentAwaitSlice(),
        RunCommand.AwaitResult::new,
        (lookup, failure) ->
            failure != null || lookup.run() == null
                ? new RunCommand.SubAgentStillRunning(step, toolCallId)
                : new RunCommand.SubAgentEnded(step, toolCallId, lookup.run()));
  }

  private Effect<RunEvent, RunState> onSubAgentStillRunning(
      RunState state, RunCommand.SubAgentStillRunning waiting) {
    if (pendingCall(state, waiting.step(), waiting.toolCallId()).isPresent()) {
      awaitSubAgent(
          waiting.step(), waiting.toolCallId(), childRunId(runId, waiting.step(), waiting.toolCallId()));
    }
    return Effect().none();
  }

  private Effect<RunEvent, RunState> onSubAgentEnded(
      RunState state, RunCommand.SubAgentEnded ended) {
    Optional<ToolCall> call = pendingCall(state, ended.step(), ended.toolCallId());
    if (call.isEmpty()) {
      return Effect().none();
    }
    RunResult child = ended.result();
    boolean completed = child.status() == RunStatus.completed;
    ObjectNode data =
        Json.object()
            .put("toolCallId", ended.toolCallId())
            .put("subAgentType", child.agentType())
            .put("subAgentId", child.runId())
            .put("status", child.status().name());
    data.set("output", child.output());
    if (!completed) {
      data.put("error", child.error());
    }
    emit(state, ChunkTypes.SUBAGENT_END, data);
    return onToolFinished(
        state,
        new RunCommand.ToolFinished(
            ended.step(),
            ended.toolCallId(),
            completed ? child.output() : null,
            completed ? null : "the sub-agent failed: " + child.error(),
            null));
  }

  private static Optional<ToolCall> pendingCall(RunState state, int step, String toolCallId) {
    if (step != state.step()) {
      return Optional.empty();
    }
    return state.pendingToolCalls().stream().filter(c -> c.id().equals(toolCallId)).findFirst();
  }

  private static RunEvent.ToolResultRecorded toolResult(
      int step, ToolCall call, JsonNode result, String error) {
    return new RunEvent.ToolResultRecorded(
        step, call.id(), call.name(), result, error == null, error, now());
  }

  private Effect<RunEvent, RunState> onStopWhileRunning(RunState state, RunCommand.Stop stop) {
    // moved to another node or shut down: the run continues where the journal says
    timers.cancel(RETRY_TIMER);
    modelCallEnded(true);
    runningTools.values().forEach(tool -> tool.cancel("run moved"));
    runningTools.clear();
    flush(state, false);
    return Effect().stop();
  }

  // ---- persisting a step's events and going on

  /**
   * Persists the events of a step, failing the run when it would need a step beyond maxSteps; then
   * streams what they say and goes on: finishes, runs pending tools, or asks the model.
   */
  private Effect<RunEvent, RunState> persistAndContinue(RunState state, List<RunEvent> events) {
    RunState after = state;
    for (RunEvent event : events) {
      after = after.apply(event);
    }
    int maxSteps = agent(state).map(AgentDefinition::maxSteps).orElse(Integer.MAX_VALUE);
    List<RunEvent> all = new ArrayList<>(events);
    if (after.running() && after.pendingToolCalls().isEmpty() && after.step() >= maxSteps) {
      all.add(
          new RunEvent.RunFailed(
              "reached maxSteps (" + maxSteps + ") without a final answer", null, now()));
    }
    return Effect()
        .persist(all)
        .thenRun(
            persisted -> {
              all.forEach(event -> emitFor(event, persisted));
              if (persisted.terminal()) {
                finish(persisted);
              } else {
                continueRun(persisted);
              }
            });
  }

  private void emitFor(RunEvent event, RunState state) {
    if (event instanceof RunEvent.ModelResponded responded) {
      for (ToolCall call : responded.message().toolCalls()) {
        emit(
            state,
            ChunkTypes.TOOL_START,
            Json.object()
                .put("toolCallId", call.id())
                .put("toolName", call.name())
                .set("arguments", call.arguments()));
      }
    } else if (event instanceof RunEvent.ToolResultRecorded recorded) {
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
    } else if (event instanceof RunEvent.StateUpdated updated) {
      ObjectNode data = Json.object().put("toolCallId", updated.toolCallId());
      data.set("patch", updated.patch());
      emit(state, ChunkTypes.STATE_PATCH, data);
    }
  }

  // ---- the end

  private void finish(RunState state) {
    String reason = state.aborted() ? "aborted: " + state.abortReason() : "run ended";
    timers.cancel(RETRY_TIMER);
    timers.cancel(DEADLINE_TIMER);
    modelCallEnded(true);
    runningTools.values().forEach(tool -> tool.cancel(reason));
    runningTools.clear();
    if (state.status() == RunStatus.failed) {
      abortSubAgents(state, reason);
      emit(
          state,
          ChunkTypes.ERROR,
          Json.object()
              .put("error", state.error())
              .put("aborted", state.aborted())
              .put("recoverable", false));
    } else {
      ObjectNode data = Json.object();
      data.set("output", state.output());
      emit(state, ChunkTypes.OUTPUT, data);
    }
    emit(state, ChunkTypes.RUN_END, Json.object().put("status", state.status().name()));
    flush(state, state.isRoot());
    resultWaiters.forEach(waiter -> waiter.tell(new RunLookup(state.toResult())));
    resultWaiters.clear();
    timers.startSingleTimer(
        PASSIVATE_TIMER, RunCommand.PassivateFinished.INSTANCE, settings.passivateFinishedAfter());
  }

  /** Aborts the children still working for this run (an aborted child aborts its own). */
  private void abortSubAgents(RunState state, String reason) {
    ActorRef<RunLookup> nobody = context.getSystem().ignoreRef();
    AgentDefinition agent = agent(state).orElse(null);
    for (ToolCall call : state.pendingToolCalls()) {
      if (agent != null && agent.subAgent(call.name()).isPresent()) {
        run(childRunId(runId, state.step(), call.id()))
            .tell(new RunCommand.Abort("parent run " + runId + " ended: " + reason, nobody));
      }
    }
  }

  // ---- chunks

  /** Queues a chunk of the state's step; see {@link #emit(RunState, int, String, ObjectNode)}. */
  private void emit(RunState state, String type, ObjectNode data) {
    emit(state, state.step(), type, data);
  }

  /**
   * Queues a chunk. Chunks go to the stream in one append per coalescing window or full batch (a
   * journal write per window, not per token or tool event); the run's last chunks go at once.
   */
  private void emit(RunState state, int step, String type, ObjectNode data) {
    unsentChunks.add(StreamChunk.of(type, runId, state.agentType(), step, now(), data));
    if (unsentChunks.size() >= settings.chunkBatchMax()) {
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

  private EntityRef<RunCommand> run(String id) {
    return env.sharding().entityRefFor(TYPE_KEY, id);
  }

  // ---- recovery

  @Override
  public SignalHandler<RunState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (state.running()) {
                context.getLog().info("run {} resumes after step {}", runId, state.step());
                // the crash may have cut a model call whose deltas were streamed
                stepDeltasMayBeStale = state.pendingToolCalls().isEmpty();
                startDeadline(state);
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

  private Optional<AgentDefinition> agent(RunState state) {
    return env.agents().get(state.agentType());
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
