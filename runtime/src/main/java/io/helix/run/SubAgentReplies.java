package io.helix.run;

import io.helix.agent.RunResult;
import io.helix.model.ToolCall;
import io.helix.run.RunDecisions.AfterSubAgentStart;
import io.helix.run.RunDecisions.ToolOutcome;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * What {@link RunEntity} does with the answers about its sub-agents' runs: a child's start (try
 * again, give up, or wait for its result), a slice of waiting that passed, a change of what a
 * child waits for, and a child's end (its outcome is the call's, through {@code toolFinished}).
 */
final class SubAgentReplies {

  private final String runId;
  private final RunSettings settings;
  private final Supplier<EffectFactories<RunEvent, RunState>> effects;
  private final RunWork work;
  private final BiFunction<RunState, InternalCommand.ToolFinished, ReplyEffect<RunEvent, RunState>>
      toolFinished;

  SubAgentReplies(
      String runId,
      RunSettings settings,
      Supplier<EffectFactories<RunEvent, RunState>> effects,
      RunWork work,
      BiFunction<RunState, InternalCommand.ToolFinished, ReplyEffect<RunEvent, RunState>>
          toolFinished) {
    this.runId = runId;
    this.settings = settings;
    this.effects = effects;
    this.work = work;
    this.toolFinished = toolFinished;
  }

  ReplyEffect<RunEvent, RunState> answered(
      RunState state, InternalCommand.SubAgentAnswered answered) {
    int step = answered.step();
    Optional<ToolCall> call = RunDecisions.pendingCall(state, step, answered.toolCallId());
    if (call.isEmpty()) {
      return effects.get().noReply();
    }
    Optional<AfterSubAgentStart> notStarted =
        RunDecisions.afterSubAgentStart(
            answered.reply(),
            answered.failure(),
            answered.attempt(),
            settings.subAgentStartAttempts());
    if (notStarted.orElse(null) instanceof AfterSubAgentStart.TryAgain again) {
      work.subAgents.start(
          state, call.get(), work.agent(state).flatMap(a -> a.subAgent(call.get().name())).orElseThrow(),
          again.attempt());
      return effects.get().noReply();
    }
    if (notStarted.orElse(null) instanceof AfterSubAgentStart.GiveUp giveUp) {
      if (giveUp.abortChild()) {
        work.subAgents.abortChild(step, call.get().id(), "its parent gave up starting it");
      }
      ToolOutcome failed = ToolOutcome.failure(giveUp.error(), null);
      return toolFinished.apply(state, new InternalCommand.ToolFinished(step, call.get().id(), failed));
    }
    if (state.subAgent(call.get().id()).isPresent()) {
      work.subAgents.await(step, call.get().id(), work.waits.known(call.get().id()));
      return effects.get().noReply();
    }
    return effects.get()
        .persist(RunDecisions.subAgentStarted(runId, step, call.get(), System.currentTimeMillis()))
        .thenRun(() -> work.subAgents.await(step, call.get().id(), List.of()))
        .thenNoReply();
  }

  ReplyEffect<RunEvent, RunState> stillRunning(
      RunState state, InternalCommand.SubAgentStillRunning waiting) {
    if (RunDecisions.pendingCall(state, waiting.step(), waiting.toolCallId()).isPresent()) {
      work.subAgents.await(
          waiting.step(), waiting.toolCallId(), work.waits.known(waiting.toolCallId()));
    }
    return effects.get().noReply();
  }

  /**
   * A sub-agent's run ended (its outcome is the call's) or waits for other than before (the run
   * shows it, and follows the child on).
   */
  ReplyEffect<RunEvent, RunState> changed(
      RunState state, InternalCommand.SubAgentChanged changed) {
    if (RunDecisions.pendingCall(state, changed.step(), changed.toolCallId()).isEmpty()) {
      return effects.get().noReply();
    }
    RunResult child = changed.result();
    if (!child.status().isTerminal()) {
      work.subAgentWaits(state, changed.toolCallId(), child.pending());
      work.subAgents.await(changed.step(), changed.toolCallId(), child.pending());
      return effects.get().noReply();
    }
    work.subAgentWaits(state, changed.toolCallId(), List.of());
    work.outbox.add(state, RunChunks.subAgentEnd(changed.toolCallId(), child));
    ToolOutcome outcome = RunDecisions.subAgentEnded(child);
    return toolFinished.apply(
        state, new InternalCommand.ToolFinished(changed.step(), changed.toolCallId(), outcome));
  }
}
