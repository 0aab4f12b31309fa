package io.helix.run;

import io.helix.agent.PendingRequest;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.model.ToolCall;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a run's sub-agents wait for, as the run shows it: a run whose sub-agent's run is suspended
 * shows itself {@code suspended}, with the child's requests (and its children's) beside its own in
 * {@link RunResult#pending()}, each with the run id of the run that waits; an approval or a client
 * tool's result given to the run for one of them is passed on to its child. It also keeps who waits
 * for a change of what the run waits for ({@link RunCommand.AwaitChange}): the parent of a
 * sub-agent's run. In memory only: the parent asks again after a restart ({@link
 * SubAgents#await}). Not thread-safe: the entity's actor alone uses it.
 */
final class SubAgentWaits {

  private record Waiter(List<PendingRequest> known, ActorRef<RunLookup> replyTo) {}

  // per sub-agent call (its toolCallId): what its child waits for
  private final Map<String, List<PendingRequest>> children = new LinkedHashMap<>();
  private final List<Waiter> waiters = new ArrayList<>();

  /** The run as it shows itself: its own status and requests, and its sub-agents' requests. */
  RunResult present(RunState state) {
    RunResult own = state.toResult();
    if (!state.active() || children.isEmpty()) {
      return own;
    }
    List<PendingRequest> pending = new ArrayList<>(own.pending());
    for (ToolCall call : state.pendingToolCalls()) {
      pending.addAll(children.getOrDefault(call.id(), List.of()));
    }
    RunStatus status = pending.isEmpty() ? own.status() : RunStatus.suspended;
    return new RunResult(
        own.runId(), own.agentType(), status, own.output(), own.error(), own.aborted(),
        own.abortReason(), own.steps(), own.usage(), own.state(), own.parentRunId(),
        own.streamId(), pending);
  }

  /** The child of sub-agent call {@code toolCallId} waits for {@code pending} (empty: nothing). */
  void child(String toolCallId, List<PendingRequest> pending) {
    if (pending.isEmpty()) {
      children.remove(toolCallId);
    } else {
      children.put(toolCallId, List.copyOf(pending));
    }
  }

  /** What the child of sub-agent call {@code toolCallId} was last seen waiting for. */
  List<PendingRequest> known(String toolCallId) {
    return children.getOrDefault(toolCallId, List.of());
  }

  /**
   * The sub-agent call whose child (or a run below it) waits for a request that {@code matches},
   * unless the run itself waits for one: the control is passed on to that child.
   */
  Optional<String> childWaitingFor(RunState state, Predicate<PendingRequest> matches) {
    if (state.toResult().pending().stream().anyMatch(matches)) {
      return Optional.empty();
    }
    for (ToolCall call : state.pendingToolCalls()) {
      if (children.getOrDefault(call.id(), List.of()).stream().anyMatch(matches)) {
        return Optional.of(call.id());
      }
    }
    return Optional.empty();
  }

  /** Answers at once if the run has ended or waits for other than {@code known}, else later. */
  void awaitChange(RunState state, RunCommand.AwaitChange await) {
    waiters.add(new Waiter(await.known(), await.replyTo()));
    changed(state);
  }

  /** Answers who waits for a change, once there is one (or the run has ended). */
  void changed(RunState state) {
    if (waiters.isEmpty()) {
      return;
    }
    RunResult shown = present(state);
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      if (state.terminal() || !keys(waiter.known()).equals(keys(shown.pending()))) {
        waiter.replyTo().tell(new RunLookup(shown));
        it.remove();
      }
    }
  }

  /** A waiter went away (its ask timed out). */
  void gone(ActorRef<RunLookup> waiter) {
    waiters.removeIf(w -> w.replyTo().equals(waiter));
  }

  /** Forgets what the children of an ended step waited for. */
  void clear() {
    children.clear();
  }

  /** The requests by what names them (not their input, whose JSON a journey may retype). */
  private static List<String> keys(List<PendingRequest> pending) {
    return pending.stream()
        .map(p -> p.kind() + "/" + p.runId() + "/" + p.toolCallId() + "/" + p.approvalId())
        .sorted()
        .toList();
  }
}
