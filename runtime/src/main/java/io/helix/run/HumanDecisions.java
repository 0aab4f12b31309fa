package io.helix.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.PendingRequest;
import io.helix.agent.RunControlException.Reason;
import io.helix.agent.Tool;
import io.helix.json.JsonValidator;
import io.helix.model.AssistantMessage;
import io.helix.model.Message;
import io.helix.model.ToolCall;
import io.helix.model.ToolResultMessage;
import io.helix.run.RunDecisions.ToolOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The decisions of a human in the loop, as pure functions (state and request in, events or a
 * refusal out; see {@link RunDecisions}): which calls of a model response wait for an approval or
 * a client's result, and what an approval, a client's tool result, an interrupt and a resume do;
 * and which approvals have expired ({@code helix.run.approval-timeout}).
 */
final class HumanDecisions {

  private HumanDecisions() {}

  /** What a control of the run does: persist events, answer the run as it is, or refuse. */
  sealed interface Control {

    record Persist(List<RunEvent> events) implements Control {}

    /** Nothing to change: answered with the run as it is (e.g. the same decision again). */
    record Unchanged() implements Control {}

    record Refused(Reason reason, String message) implements Control {}
  }

  /** The id of the approval of a call: the same whenever the request is decided again. */
  static String approvalId(String runId, int step, String toolCallId) {
    String key = runId + "/" + step + "/" + toolCallId + "/approval";
    return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /**
   * The requests of the calls of a model response (of {@code step}) that wait for someone: a
   * client-executed tool's call waits for its result, a call of a tool that requires approval for
   * its input waits for the decision. A predicate that throws counts as requiring approval.
   */
  static List<RunEvent> requests(
      String runId,
      int step,
      AssistantMessage message,
      Optional<AgentDefinition> agent,
      long now) {
    if (agent.isEmpty()) {
      return List.of();
    }
    List<RunEvent> requests = new ArrayList<>();
    for (ToolCall call : message.toolCalls()) {
      Optional<Tool> tool =
          agent.get().subAgent(call.name()).isPresent()
              ? Optional.empty()
              : agent.get().tool(call.name());
      if (tool.isEmpty()) {
        continue;
      }
      if (tool.get().executedByClient()) {
        requests.add(
            new RunEvent.ClientToolRequested(step, call.id(), call.name(), call.arguments(), now));
      } else if (requiresApproval(tool.get(), call.arguments())) {
        requests.add(
            new RunEvent.ApprovalRequested(
                step, call.id(), call.name(), approvalId(runId, step, call.id()),
                call.arguments(), now));
      }
    }
    return requests;
  }

  private static boolean requiresApproval(Tool tool, JsonNode input) {
    try {
      return tool.requiresApproval(input);
    } catch (RuntimeException e) {
      return true;
    }
  }

  /** The reason of an approval decided as expired; the model hears it as the call's error. */
  static String expiredReason(Duration timeout) {
    return "approval expired after " + timeout;
  }

  /**
   * When the first approval the run waits for expires ({@code timeout} after its request, as
   * persisted); empty when none waits or {@code timeout} is zero (approvals never expire).
   */
  static Optional<Long> nextExpiry(RunState state, Duration timeout) {
    if (!expires(timeout) || !state.active()) {
      return Optional.empty();
    }
    return state.held().stream()
        .filter(h -> h.approvalId() != null)
        .map(h -> h.requestedAt() + timeout.toMillis())
        .min(Long::compare);
  }

  /**
   * The approvals past their expiry at {@code now}, each decided as expired: a denial with {@link
   * #expiredReason}, and the call's failed result (the step goes on once none waits). Empty when
   * none has expired, or approvals never expire ({@code timeout} zero).
   */
  static List<RunEvent> expired(
      RunState state, Optional<AgentDefinition> agent, Duration timeout, long now) {
    if (!expires(timeout) || !state.active()) {
      return List.of();
    }
    String reason = expiredReason(timeout);
    List<RunEvent> events = new ArrayList<>();
    RunState current = state;
    for (RunState.Held request : state.held()) {
      if (request.approvalId() == null || request.requestedAt() + timeout.toMillis() > now) {
        continue;
      }
      RunEvent.ApprovalDecided decided =
          new RunEvent.ApprovalDecided(
              request.step(), request.toolCallId(), request.approvalId(), false, reason, now);
      current = current.apply(decided);
      ToolOutcome denied = ToolOutcome.failure(denial(request.toolName(), reason), null);
      List<RunEvent> failed = resolve(current, agent, request, denied, now);
      for (RunEvent event : failed) {
        current = current.apply(event);
      }
      events.add(decided);
      events.addAll(failed);
    }
    return events;
  }

  private static boolean expires(Duration timeout) {
    return timeout != null && timeout.compareTo(Duration.ZERO) > 0;
  }

  /** The pending calls that wait for nobody, so may run now. */
  static List<ToolCall> runnable(RunState state) {
    return state.pendingToolCalls().stream()
        .filter(call -> state.heldCall(call.id()).isEmpty())
        .toList();
  }

  /** What the model hears of a denied call. */
  static String denial(String toolName, String reason) {
    String why = reason == null || reason.isBlank() ? "no reason given" : reason;
    return "the call of '" + toolName + "' was denied approval: " + why;
  }

  /**
   * A decision of approval {@code approvalId}: approved, it is persisted and the call then runs;
   * denied, the call fails with the denial. A decision made before is answered as it is when the
   * same, refused (conflict) when different.
   */
  static Control approve(
      RunState state,
      Optional<AgentDefinition> agent,
      String approvalId,
      boolean approved,
      String reason,
      long now) {
    Optional<RunState.Decision> before =
        state.decisions().stream().filter(d -> d.approvalId().equals(approvalId)).findFirst();
    if (before.isPresent()) {
      return before.get().approved() == approved
          ? new Control.Unchanged()
          : new Control.Refused(
              Reason.CONFLICT,
              "approval '" + approvalId + "' was " + (before.get().approved() ? "approved" : "denied")
                  + " before"
                  + (before.get().reason() == null ? "" : " (" + before.get().reason() + ")"));
    }
    Optional<RunState.Held> held =
        state.held().stream()
            .filter(h -> approvalId.equals(h.approvalId()) && h.step() == state.step())
            .findFirst();
    if (held.isEmpty() || !state.active()) {
      return notWaiting(state, "approval '" + approvalId + "'");
    }
    RunState.Held request = held.get();
    RunEvent.ApprovalDecided decided =
        new RunEvent.ApprovalDecided(
            request.step(), request.toolCallId(), approvalId, approved, reason, now);
    if (approved) {
      return new Control.Persist(List.of(decided));
    }
    List<RunEvent> events = new ArrayList<>();
    events.add(decided);
    events.addAll(
        resolve(state.apply(decided), agent, request, ToolOutcome.failure(denial(request.toolName(), reason), null), now));
    return new Control.Persist(events);
  }

  /**
   * The client's result (or {@code error}) of a client-executed call the run waits for: a result
   * is validated against the tool's output schema (invalid: refused, the run still waits).
   */
  static Control toolResult(
      RunState state,
      Optional<AgentDefinition> agent,
      String toolCallId,
      JsonNode result,
      String error,
      long now) {
    Optional<RunState.Held> held =
        state.heldCall(toolCallId).filter(h -> PendingRequest.CLIENT_TOOL.equals(h.kind()));
    if (held.isEmpty() || !state.active()) {
      if (hasResult(state, toolCallId)) {
        return new Control.Refused(
            Reason.CONFLICT, "tool call '" + toolCallId + "' has a result already");
      }
      return notWaiting(state, "a result of tool call '" + toolCallId + "'");
    }
    RunState.Held request = held.get();
    ToolOutcome outcome;
    if (error != null) {
      outcome = ToolOutcome.failure(error, null);
    } else {
      JsonNode value = result == null ? NullNode.getInstance() : result;
      JsonNode schema =
          agent.flatMap(a -> a.tool(request.toolName())).map(Tool::outputSchema).orElse(null);
      if (schema != null) {
        List<String> problems = JsonValidator.of(schema).problems(value);
        if (!problems.isEmpty()) {
          return new Control.Refused(
              Reason.INVALID,
              "the result does not match the output schema of '" + request.toolName() + "': "
                  + problems);
        }
      }
      outcome = ToolOutcome.success(value, null);
    }
    return new Control.Persist(resolve(state, agent, request, outcome, now));
  }

  /** The held call's outcome, recorded as its result (the step goes on once none waits). */
  private static List<RunEvent> resolve(
      RunState state,
      Optional<AgentDefinition> agent,
      RunState.Held request,
      ToolOutcome outcome,
      long now) {
    ToolCall call =
        RunDecisions.pendingCall(state, request.step(), request.toolCallId())
            .orElseGet(() -> new ToolCall(request.toolCallId(), request.toolName(), request.input()));
    return RunDecisions.onToolOutcome(state, agent, call, outcome, null, now);
  }

  /**
   * Interrupts a running or suspended run: each call without a result fails (running tools are
   * cancelled, requests withdrawn), then the run is interrupted, keeping what the model had
   * streamed. An interrupted run is answered as it is; an ended one is refused.
   */
  static Control interrupt(
      RunState state, String reason, AssistantMessage streamed, long now) {
    if (state.interrupted()) {
      return new Control.Unchanged();
    }
    if (!state.active()) {
      return new Control.Refused(Reason.CONFLICT, "the run has ended (" + state.status() + ")");
    }
    String why = reason == null || reason.isBlank() ? "interrupted" : reason;
    List<RunEvent> events = new ArrayList<>();
    for (ToolCall call : state.pendingToolCalls()) {
      events.add(
          new RunEvent.ToolResultRecorded(
              state.step(), call.id(), call.name(), null, false, "the run was interrupted: " + why,
              now));
    }
    events.add(new RunEvent.RunInterrupted(why, streamed, now));
    return new Control.Persist(events);
  }

  /** Resumes an interrupted run, with a further user message if one is given. */
  static Control resume(RunState state, String message, long now) {
    if (!state.interrupted()) {
      String why =
          state.terminal()
              ? (state.aborted() ? "an aborted run" : "a " + state.status() + " run")
                  + " cannot be resumed"
              : "the run is " + state.status() + ", not interrupted";
      return new Control.Refused(Reason.CONFLICT, why);
    }
    return new Control.Persist(List.of(new RunEvent.RunResumed(message, now)));
  }

  private static Control notWaiting(RunState state, String what) {
    if (state.status() == io.helix.agent.RunStatus.suspended) {
      return new Control.Refused(Reason.NOT_FOUND, "the run waits for no " + what);
    }
    return new Control.Refused(
        Reason.CONFLICT, "the run is " + state.status() + ": it waits for no " + what);
  }

  private static boolean hasResult(RunState state, String toolCallId) {
    for (Message message : state.messages()) {
      if (message instanceof ToolResultMessage result && result.toolCallId().equals(toolCallId)) {
        return true;
      }
    }
    return false;
  }
}
