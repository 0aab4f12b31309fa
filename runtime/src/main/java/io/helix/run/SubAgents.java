package io.helix.run;

import io.helix.agent.AgentDefinition;
import io.helix.agent.PendingRequest;
import io.helix.model.ToolCall;
import io.helix.run.RunDecisions.ToolOutcome;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The runs a run starts for its sub-agent tool calls: each is a child {@link RunEntity} with an id
 * derived from the call ({@link RunEntity#childRunId}), so a call redone after a crash finds the
 * same child. The parent starts it, follows it in slices (following a child that moves) until it
 * ends, learning meanwhile what it waits for ({@link SubAgentWaits}),
 * and aborts the children still working when it ends without completing. Answers come back to the
 * entity as {@link InternalCommand}s.
 */
final class SubAgents {

  private final RunActor actor;
  private final ChunkOutbox outbox;

  SubAgents(RunActor actor, ChunkOutbox outbox) {
    this.actor = actor;
    this.outbox = outbox;
  }

  /** Starts (or finds again) the child run of a sub-agent call of the state's step. */
  void start(RunState state, ToolCall call, AgentDefinition subAgent) {
    start(state, call, subAgent, 1);
  }

  /** Start attempt {@code attempt} of the child run of a sub-agent call of the state's step. */
  void start(RunState state, ToolCall call, AgentDefinition subAgent, int attempt) {
    int step = state.step();
    Optional<String> message = RunDecisions.subAgentMessage(call);
    if (message.isEmpty()) {
      ToolOutcome missing = ToolOutcome.failure("a sub-agent call needs a 'message'", null);
      actor.self().tell(new InternalCommand.ToolFinished(step, call.id(), missing));
      return;
    }
    String childId = RunEntity.childRunId(actor.runId(), step, call.id());
    if (state.subAgent(call.id()).isEmpty() && attempt == 1) {
      // sent before the child starts, so the child's chunks follow this one
      outbox.add(
          state, RunChunks.subAgentStart(call.id(), subAgent.name(), childId, message.get()));
      outbox.flush(state, false);
    }
    actor.context().ask(
        StartReply.class,
        actor.run(childId),
        actor.settings().subAgentAskTimeout(),
        replyTo ->
            // the child's trace is a branch of this run's
            new RunCommand.Start(
                subAgent.name(),
                message.get(),
                actor.runId(),
                state.streamId(),
                replyTo,
                state.traceParent(),
                state.origin().owner(), // the child is its parent's owner's
                null,
                0), // the child's budget is its agent's
        (reply, failure) ->
            new InternalCommand.SubAgentAnswered(step, call.id(), attempt, reply, failure));
  }

  /**
   * Waits for one slice for the child to end or to wait for other than {@code known} (what it was
   * last seen waiting for); then asks again ({@link InternalCommand.SubAgentStillRunning}), so a
   * child that moved is followed.
   */
  void await(int step, String toolCallId, List<PendingRequest> known) {
    actor.context().ask(
        RunLookup.class,
        actor.run(RunEntity.childRunId(actor.runId(), step, toolCallId)),
        actor.settings().subAgentAwaitSlice(),
        replyTo -> new RunCommand.AwaitChange(known, replyTo),
        (lookup, failure) ->
            failure != null || lookup.run() == null
                ? new InternalCommand.SubAgentStillRunning(step, toolCallId)
                : new InternalCommand.SubAgentChanged(step, toolCallId, lookup.run()));
  }

  /** Aborts the child of one call, which was given up on (it may have started after all). */
  void abortChild(int step, String toolCallId, String reason) {
    actor
        .run(RunEntity.childRunId(actor.runId(), step, toolCallId))
        .tell(new RunCommand.Abort(reason, actor.context().getSystem().ignoreRef()));
  }

  /** Aborts the children still working for the state's step (an aborted child aborts its own). */
  void abortChildren(RunState state, Optional<AgentDefinition> agent, String reason) {
    if (agent.isEmpty()) {
      return;
    }
    ActorRef<RunLookup> nobody = actor.context().getSystem().ignoreRef();
    String why = "parent run " + actor.runId() + " ended: " + reason;
    for (ToolCall call : state.pendingToolCalls()) {
      if (agent.get().subAgent(call.name()).isPresent()) {
        actor
            .run(RunEntity.childRunId(actor.runId(), state.step(), call.id()))
            .tell(new RunCommand.Abort(why, nobody));
      }
    }
  }
}
