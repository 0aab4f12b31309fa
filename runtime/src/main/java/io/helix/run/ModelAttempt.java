package io.helix.run;

import io.helix.agent.AgentDefinition;
import io.helix.model.AssistantMessage;
import io.helix.model.ModelCall;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelClient;
import io.helix.model.ModelEvent;
import io.helix.model.ModelException;
import io.helix.model.ModelRequest;
import io.helix.model.ModelResponse;
import io.helix.run.RunDecisions.AfterModelFailure;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The model call of a run's next step, attempt by attempt: builds the request, streams the
 * answer's deltas to the stream, bounds the model's silence with a timeout, and waits out the
 * backoff before a retry. Its answer, failure or timeout comes back to the entity as an {@link
 * InternalCommand} naming the step and attempt, so the entity can drop what a cancelled or
 * superseded attempt still sends ({@link #isCurrent}).
 *
 * <p>What it holds is work in flight, not state: after a crash the journal says what to redo.
 * {@link #reset} is the one place an attempt is forgotten (its call, number, timers and streamed
 * text). Only {@code stepDeltasMayBeStale} outlives an attempt: it belongs to the step, whose next
 * attempt must first void what a failed one streamed.
 */
final class ModelAttempt {

  private static final String TIMEOUT_TIMER = "model-timeout";
  private static final String RETRY_TIMER = "model-retry";

  private final RunActor actor;
  private final ChunkOutbox outbox;

  private ModelCall call;
  // 0 when no attempt is in flight or waiting to be retried
  private int attempt;
  // deltas of the current step may be on the stream from an attempt that did not complete
  private boolean stepDeltasMayBeStale;
  // what the attempt in flight has streamed so far: kept if an abort or the deadline ends the run
  private final StringBuilder streamedText = new StringBuilder();
  private final StringBuilder streamedThinking = new StringBuilder();
  // for the observer: what the attempt under way asks, and since when
  private String agentType;
  private String modelId;
  private long startedAt;

  ModelAttempt(RunActor actor, ChunkOutbox outbox) {
    this.actor = actor;
    this.outbox = outbox;
  }

  /** Asks the model for the state's next step, as attempt {@code number}. */
  void start(RunState state, Optional<AgentDefinition> agent, int number) {
    reset(true);
    int step = state.step() + 1;
    attempt = number;
    modelId = null;
    ActorRef<RunCommand> self = actor.self();
    if (agent.isEmpty()) {
      self.tell(fatal(step, "agent type '" + state.agentType() + "' is not registered"));
      return;
    }
    agentType = state.agentType();
    modelId = agent.get().model();
    startedAt = System.currentTimeMillis();
    actor.env().observer().modelCallStarted(actor.runId(), step, number, modelId);
    Optional<ModelClient> client = actor.env().models().clientFor(modelId);
    if (client.isEmpty()) {
      self.tell(fatal(step, "no model provider configured for '" + modelId + "'"));
      return;
    }
    if (stepDeltasMayBeStale) {
      outbox.add(state, step, RunChunks.resync(step));
      stepDeltasMayBeStale = false;
    }
    try {
      call =
          client
              .get()
              .stream(
                  request(actor.runId(), state, agent.get()),
                  event -> self.tell(new InternalCommand.ModelStreamed(step, number, event)));
    } catch (RuntimeException e) {
      self.tell(new InternalCommand.ModelFailed(step, number, e));
      return;
    }
    actor.context().pipeToSelf(
        call.response(),
        (response, error) ->
            error == null
                ? new InternalCommand.ModelAnswered(step, number, response)
                : new InternalCommand.ModelFailed(step, number, Failures.unwrap(error)));
    startTimeout(step);
  }

  /** The request for the state's next step. */
  static ModelRequest request(String runId, RunState state, AgentDefinition agent) {
    return new ModelRequest(
        ModelCatalog.modelName(agent.model()),
        agent.systemPrompt(),
        state.messages(),
        agent.modelTools(),
        runId,
        state.step() + 1);
  }

  private InternalCommand.ModelFailed fatal(int step, String message) {
    return new InternalCommand.ModelFailed(step, attempt, ModelException.fatal(message));
  }

  /** Whether a message of attempt {@code number} of {@code step} is of the attempt under way. */
  boolean isCurrent(RunState state, int step, int number) {
    return step == state.step() + 1 && number == attempt;
  }

  /** A delta of the current attempt: kept for an interrupted answer, and streamed. */
  void streamed(RunState state, int step, ModelEvent event) {
    // the timeout bounds silence, not the length of an answer
    startTimeout(step);
    stepDeltasMayBeStale = true;
    if (event instanceof ModelEvent.TextDelta delta) {
      streamedText.append(delta.text());
    } else if (event instanceof ModelEvent.ThinkingDelta thinking) {
      streamedThinking.append(thinking.text());
    }
    RunChunks.ofModelEvent(event).ifPresent(chunk -> outbox.add(state, step, chunk));
  }

  /** The current attempt answered: what it streamed is in its response. */
  void answered(ModelResponse response) {
    actor.env().observer().modelCallEnded(
        actor.runId(),
        agentType,
        modelId,
        System.currentTimeMillis() - startedAt,
        response.usage(),
        response.finishReason(),
        null,
        false);
    reset(false);
    stepDeltasMayBeStale = false;
  }

  /** The current attempt failed: stop it and, if the decision says so, retry after a backoff. */
  void failed(int step, AfterModelFailure next) {
    if (modelId != null) {
      String error =
          next instanceof AfterModelFailure.Retry retry
              ? retry.error()
              : ((AfterModelFailure.GiveUp) next).failed().error();
      actor.env().observer().modelCallEnded(
          actor.runId(),
          agentType,
          modelId,
          System.currentTimeMillis() - startedAt,
          null,
          null,
          error,
          next instanceof AfterModelFailure.Retry);
    }
    reset(true);
    if (next instanceof AfterModelFailure.Retry retry) {
      actor.context()
          .getLog()
          .info(
              "run {} step {}: model call failed ({}), attempt {} in {} ms",
              actor.runId(),
              step,
              retry.error(),
              retry.attempt(),
              retry.delay().toMillis());
      attempt = retry.attempt();
      actor.timers().startSingleTimer(
          RETRY_TIMER, new InternalCommand.RetryModel(step, retry.attempt()), retry.delay());
    }
  }

  /** The failure a timeout counts as: a retryable one. */
  InternalCommand.ModelFailed failureOf(InternalCommand.ModelTimedOut timedOut) {
    String message =
        "model call timed out after " + actor.settings().modelTimeout().toMillis() + " ms";
    return new InternalCommand.ModelFailed(
        timedOut.step(), timedOut.attempt(), ModelException.retryable(message));
  }

  /** After a crash the step's model call may have been cut after its deltas were streamed. */
  void resumed(RunState state) {
    stepDeltasMayBeStale = state.pendingToolCalls().isEmpty();
  }

  /** What the attempt in flight has streamed, which an abort or deadline cuts short; or null. */
  AssistantMessage interruptedAnswer() {
    return interrupted(streamedText, streamedThinking);
  }

  static AssistantMessage interrupted(CharSequence text, CharSequence thinking) {
    if (text.isEmpty() && thinking.isEmpty()) {
      return null;
    }
    return new AssistantMessage(
        text.toString(), List.of(), thinking.isEmpty() ? null : thinking.toString());
  }

  /**
   * The run was interrupted: the attempt in flight stops, and what it streamed is kept (the
   * interrupt persisted it), so the step's next call needs no resync.
   */
  void cut() {
    reset(true);
    stepDeltasMayBeStale = false;
  }

  /** Stops the attempt in flight (closing its connection) and any retry waiting. */
  void stop() {
    reset(true);
  }

  /**
   * Forgets the attempt: its timers, its call ({@code cancel} also stops it) and what it streamed
   * (that is either in its response or stale: a retry streams anew).
   */
  private void reset(boolean cancel) {
    actor.timers().cancel(TIMEOUT_TIMER);
    actor.timers().cancel(RETRY_TIMER);
    if (cancel && call != null) {
      call.cancel();
    }
    call = null;
    attempt = 0;
    streamedText.setLength(0);
    streamedThinking.setLength(0);
  }

  private void startTimeout(int step) {
    actor.timers()
        .startSingleTimer(
            TIMEOUT_TIMER,
            new InternalCommand.ModelTimedOut(step, attempt),
            actor.settings().modelTimeout());
  }
}
