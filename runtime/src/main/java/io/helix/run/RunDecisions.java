package io.helix.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.json.JsonPatch;
import io.helix.json.JsonValidator;
import io.helix.model.AssistantMessage;
import io.helix.model.ModelException;
import io.helix.model.ModelResponse;
import io.helix.model.ToolCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The run's decisions as pure functions: a state and what just happened in, the events to persist
 * (or what to do next) out. No actor, no clock ({@code now} is passed in), no I/O; {@link
 * RunEntity} persists what they return and carries it out.
 *
 * <p>{@code agent} is the run's agent definition as registered on this node; it is empty when the
 * agent type is no longer registered, and then there is no output schema and no step limit.
 *
 * <p>At some 400 lines it stays one file on purpose: it is the whole decision table of a run
 * (model answers, tool results, sub-agent results, errors; the limits are in {@link
 * RunLimits}), each a short static function
 * that {@code RunDecisionsTest} checks without an actor system; split, a reader would have to
 * join the table from several files to see which outcome leads where.
 */
final class RunDecisions {

  static final String OUTPUT_REMINDER =
      "Finish by calling the "
          + AgentDefinition.FINISH_TOOL
          + " tool with the output as its arguments.";

  private RunDecisions() {}

  /**
   * How a tool call ended: its result or error, and the custom state as the call left it (null for
   * calls that cannot change it, such as sub-agents).
   */
  record ToolOutcome(JsonNode result, String error, JsonNode stateAfter) {

    static ToolOutcome success(JsonNode result, JsonNode stateAfter) {
      return new ToolOutcome(result, null, stateAfter);
    }

    static ToolOutcome failure(String error, JsonNode stateAfter) {
      return new ToolOutcome(null, error, stateAfter);
    }
  }

  /** What the run does once its events are persisted. */
  sealed interface Next {

    /** The run has ended: stream its end and answer who waits. */
    record Finish() implements Next {}

    /** Run the tool calls of the last response that have no result yet. */
    record RunTools(List<ToolCall> calls) implements Next {}

    /** Ask the model for {@code step}. */
    record AskModel(int step) implements Next {}

    /** Nothing to do: every pending call waits for someone, or the run is interrupted. */
    record Wait() implements Next {}
  }

  /** After a failed model call: try again after {@code delay}, or fail the run. */
  sealed interface AfterModelFailure {

    record Retry(int attempt, Duration delay, String error) implements AfterModelFailure {}

    record GiveUp(RunEvent.RunFailed failed) implements AfterModelFailure {}
  }

  // ---- starting

  static RunEvent.RunStarted started(
      String runId, RunCommand.Start start, AgentDefinition agent, long now) {
    return started(runId, start, agent, now, null);
  }

  /** The run's start, with the {@code traceparent} of its span (null: not traced). */
  static RunEvent.RunStarted started(
      String runId, RunCommand.Start start, AgentDefinition agent, long now, String traceParent) {
    String streamId = start.streamId() == null ? runId : start.streamId();
    RunCommand.Turn turn = start.turn();
    return new RunEvent.RunStarted(
        runId,
        start.agentType(),
        start.message(),
        streamId,
        start.parentRunId(),
        turn != null && turn.state() != null ? turn.state() : agent.initialState(),
        now,
        traceParent,
        start.owner(),
        turn == null ? null : turn.sessionId(),
        turn == null ? List.of() : turn.history(),
        Math.max(0, start.maxTokens()));
  }

  /**
   * Whether a second start asks for the run that exists: same agent type, message, owner and
   * session.
   */
  static boolean sameRun(RunState state, RunCommand.Start start) {
    String sessionId = start.turn() == null ? null : start.turn().sessionId();
    return state.agentType().equals(start.agentType())
        && state.input().equals(start.message())
        && java.util.Objects.equals(state.origin().owner(), start.owner())
        && java.util.Objects.equals(state.origin().sessionId(), sessionId);
  }

  // ---- the loop

  /**
   * Goes on from a persisted state: finish, run the pending tool calls that wait for nobody, ask
   * the model, or wait (for an approval or a client's result, or to be resumed).
   */
  static Next next(RunState state) {
    if (state.terminal()) {
      return new Next.Finish();
    }
    if (state.interrupted()) {
      return new Next.Wait();
    }
    if (state.pendingToolCalls().isEmpty()) {
      return new Next.AskModel(state.step() + 1);
    }
    List<ToolCall> runnable = HumanDecisions.runnable(state);
    return runnable.isEmpty() ? new Next.Wait() : new Next.RunTools(runnable);
  }

  /**
   * The model answered the next step ({@code state.step() + 1}). The response is persisted first;
   * then the answer ends the step in one of these ways:
   *
   * <ul>
   *   <li>with tool calls (and no {@value AgentDefinition#FINISH_TOOL}): nothing more; the calls
   *       are now pending, so {@link #next} runs them and the model is asked again with their
   *       results;
   *   <li>without tool calls and without an output schema: the text is the run's output;
   *   <li>with an output schema: see {@link #structuredEnd}.
   * </ul>
   *
   * A step that leaves the run waiting for the model at {@code maxSteps} fails the run, and so does
   * a response that takes the run's usage beyond {@code maxTokens} (0: no limit) without ending
   * it (see {@link RunLimits#overBudget}): the response is kept, no further model call is made.
   * An answer that completes the run completes it even beyond the budget: it is paid for already.
   */
  static List<RunEvent> onModelAnswer(
      RunState state,
      Optional<AgentDefinition> agent,
      ModelResponse response,
      long maxTokens,
      long now) {
    int step = state.step() + 1;
    AssistantMessage message = response.message();
    List<RunEvent> events = new ArrayList<>();
    events.add(
        new RunEvent.ModelResponded(
            step, message, response.finishReason(), response.usage(), now));
    JsonNode outputSchema = agent.map(AgentDefinition::outputSchema).orElse(null);
    if (outputSchema != null) {
      events.addAll(structuredEnd(step, message, outputSchema, now));
    } else if (!message.hasToolCalls()) {
      events.add(new RunEvent.RunCompleted(TextNode.valueOf(message.content()), now));
    }
    if (events.stream().anyMatch(e -> e instanceof RunEvent.RunCompleted)) {
      return RunLimits.withinMaxSteps(state, events, agent, now);
    }
    Optional<RunEvent.RunFailed> overBudget =
        RunLimits.overBudget(state, response, maxTokens, now);
    if (overBudget.isPresent()) {
      events.add(overBudget.get()); // the response is kept; its calls never run
      return events;
    }
    // calls that wait for an approval or a client's result: requested with the response
    events.addAll(HumanDecisions.requests(state.runId(), step, message, agent, now));
    return RunLimits.withinMaxSteps(state, events, agent, now);
  }

  /**
   * How an answer ends a run that must give structured output: a {@value
   * AgentDefinition#FINISH_TOOL} call with valid arguments completes it (an invalid one gets a
   * failed tool result and the model tries again); other tool calls just run; text that is valid
   * JSON for the schema completes it, and any other text is answered with a reminder.
   */
  private static List<RunEvent> structuredEnd(
      int step, AssistantMessage message, JsonNode outputSchema, long now) {
    Optional<ToolCall> finish =
        message.toolCalls().stream()
            .filter(call -> AgentDefinition.FINISH_TOOL.equals(call.name()))
            .findFirst();
    if (finish.isPresent()) {
      ToolCall call = finish.get();
      List<String> problems = JsonValidator.of(outputSchema).problems(call.arguments());
      if (!problems.isEmpty()) {
        String error = "the output does not match the schema: " + problems;
        return List.of(toolResult(step, call, null, error, now));
      }
      return List.of(
          toolResult(step, call, call.arguments(), null, now),
          new RunEvent.RunCompleted(call.arguments(), now));
    }
    if (message.hasToolCalls()) {
      return List.of();
    }
    return List.of(
        parseValid(message.content(), outputSchema)
            .<RunEvent>map(output -> new RunEvent.RunCompleted(output, now))
            .orElseGet(() -> new RunEvent.OutputRequested(step, OUTPUT_REMINDER, now)));
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

  /**
   * A pending tool call of the state's step ended: the call's own changes to the custom state (a
   * patch from the state it started with, so calls running beside it keep theirs), then its result.
   *
   * @param stateAtStart the custom state the call started from; null if unknown (no patch then)
   */
  static List<RunEvent> onToolOutcome(
      RunState state,
      Optional<AgentDefinition> agent,
      ToolCall call,
      ToolOutcome outcome,
      JsonNode stateAtStart,
      long now) {
    int step = state.step();
    List<RunEvent> events = new ArrayList<>();
    JsonNode result = outcome.result();
    String error = outcome.error();
    if (outcome.stateAfter() != null && stateAtStart != null) {
      ArrayNode patch = JsonPatch.diff(stateAtStart, outcome.stateAfter());
      Optional<String> conflict = conflict(state, patch);
      if (conflict.isPresent()) {
        // a call beside it changed the state under it: the model hears, the run goes on
        result = null;
        error =
            "the tool's change to the run's state was not applied: it conflicts with a change of"
                + " a tool call that ran beside it (" + conflict.get() + ")";
      } else if (!patch.isEmpty()) {
        events.add(new RunEvent.StateUpdated(step, call.id(), patch, now));
      }
    }
    events.add(toolResult(step, call, result, error, now));
    return RunLimits.withinMaxSteps(state, events, agent, now);
  }

  /** Why {@code patch} cannot be applied to the run's state as it is now, if it cannot. */
  static Optional<String> conflict(RunState state, ArrayNode patch) {
    if (patch.isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonPatch.apply(state.customState(), patch);
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  private static RunEvent.ToolResultRecorded toolResult(
      int step, ToolCall call, JsonNode result, String error, long now) {
    return new RunEvent.ToolResultRecorded(
        step, call.id(), call.name(), result, error == null, error, now);
  }

  /** The call {@code toolCallId} of {@code step}, if it is the state's step and still pending. */
  static Optional<ToolCall> pendingCall(RunState state, int step, String toolCallId) {
    if (step != state.step()) {
      return Optional.empty();
    }
    return state.pendingToolCalls().stream().filter(c -> c.id().equals(toolCallId)).findFirst();
  }

  // ---- the model failing

  /**
   * A model call failed: a retryable failure is tried again (after the provider's Retry-After, or
   * the backoff) while attempts are left; otherwise the run fails. A failure that is no {@link
   * ModelException} is taken for a network error, so retryable.
   *
   * @param random in [0, 1), the jitter of the backoff
   */
  static AfterModelFailure afterModelFailure(
      Throwable cause, int attempt, RunSettings settings, double random, long now) {
    ModelException error =
        cause instanceof ModelException known
            ? known
            : new ModelException(String.valueOf(cause), true, null, cause);
    if (error.retryable() && attempt < settings.modelMaxAttempts()) {
      int next = attempt + 1;
      Duration delay = error.retryAfter().orElseGet(() -> settings.backoff(next, random));
      return new AfterModelFailure.Retry(next, delay, error.getMessage());
    }
    String message =
        "model call failed after "
            + attempt
            + (attempt == 1 ? " attempt: " : " attempts: ")
            + error.getMessage();
    return new AfterModelFailure.GiveUp(new RunEvent.RunFailed(message, null, now));
  }

  // ---- sub-agents

  /** The task a sub-agent call gives its child: the {@code message} argument, if any. */
  static Optional<String> subAgentMessage(ToolCall call) {
    return Optional.ofNullable(
        call.arguments() == null ? null : call.arguments().path("message").asText(null));
  }

  /**
   * Why a sub-agent's run did not start, from the child's answer to its start (or the ask's
   * failure); empty when it started, also when it had been started before with the same task.
   */
  static Optional<String> subAgentNotStarted(StartReply reply, Throwable failure) {
    boolean started =
        reply instanceof StartReply.Started
            || (reply instanceof StartReply.AlreadyExists existing && existing.sameInput());
    if (started) {
      return Optional.empty();
    }
    Object why = failure != null ? Failures.describe(failure) : reply;
    return Optional.of("the sub-agent did not start: " + why);
  }

  /**
   * After a start of a sub-agent's run that did not start it: try again when the ask only went
   * unanswered (the child may be slow or moving) and attempts are left; else give up, aborting the
   * child in case it started after all. Empty: it started.
   */
  static Optional<AfterSubAgentStart> afterSubAgentStart(
      StartReply reply, Throwable failure, int attempt, int maxAttempts) {
    Optional<String> notStarted = subAgentNotStarted(reply, failure);
    if (notStarted.isEmpty()) {
      return Optional.empty();
    }
    if (failure != null && attempt < maxAttempts) {
      return Optional.of(new AfterSubAgentStart.TryAgain(attempt + 1));
    }
    String why =
        failure != null
            ? notStarted.get() + " (" + attempt + (attempt == 1 ? " attempt)" : " attempts)")
            : notStarted.get();
    return Optional.of(new AfterSubAgentStart.GiveUp(why, failure != null));
  }

  /** What follows a sub-agent start that did not start it. */
  sealed interface AfterSubAgentStart {
    record TryAgain(int attempt) implements AfterSubAgentStart {}

    /** The call fails with {@code error}; {@code abortChild}: the child may be running after all. */
    record GiveUp(String error, boolean abortChild) implements AfterSubAgentStart {}
  }

  /** The child run of a sub-agent call of {@code step} has started. */
  static RunEvent.SubAgentStarted subAgentStarted(
      String runId, int step, ToolCall call, long now) {
    String childType = call.name().substring(AgentDefinition.SUB_AGENT_PREFIX.length());
    return new RunEvent.SubAgentStarted(
        step, call.id(), RunEntity.childRunId(runId, step, call.id()), childType, now);
  }

  /** A sub-agent's run ended: its output is the call's result, or its failure the call's error. */
  static ToolOutcome subAgentEnded(RunResult child) {
    return child.status() == RunStatus.completed
        ? ToolOutcome.success(child.output(), null)
        : ToolOutcome.failure("the sub-agent failed: " + child.error(), null);
  }

  // ---- the end

  /** An abort, keeping what the model had streamed of the answer it cuts short. */
  static RunEvent.RunAborted aborted(String reason, AssistantMessage interrupted, long now) {
    String why = reason == null || reason.isBlank() ? "aborted" : reason;
    return new RunEvent.RunAborted(why, interrupted, now);
  }

  /** Why the work still in flight of an ended run is cancelled. */
  static String endReason(RunState state) {
    return state.aborted() ? "aborted: " + state.abortReason() : "run ended";
  }
}
