package io.helix.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.PendingRequest;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.json.JsonPatch;
import io.helix.model.AssistantMessage;
import io.helix.model.Message;
import io.helix.model.TokenUsage;
import io.helix.model.ToolCall;
import io.helix.model.ToolResultMessage;
import io.helix.model.UserMessage;
import io.helix.serialization.CborSerializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A run as its events made it. {@code runId} is null until the run is started.
 *
 * @param step the number of model responses so far
 * @param traceParent the W3C traceparent of the run's span (null: not traced), see {@link
 *     RunObserver}
 */
public record RunState(
    String runId,
    String agentType,
    String input,
    String streamId,
    String parentRunId,
    RunStatus status,
    List<Message> messages,
    int step,
    TokenUsage usage,
    JsonNode output,
    String error,
    boolean aborted,
    String abortReason,
    JsonNode customState,
    List<SubAgentRef> subAgents,
    long createdAt,
    long updatedAt,
    String traceParent,
    List<Held> held,
    List<Decision> decisions,
    Origin origin)
    implements CborSerializable {

  /**
   * Fills what a snapshot written before a field existed lacks (see
   * docs/journal-compatibility.md): lists are never null, usage is never null.
   */
  public RunState {
    messages = messages == null ? List.of() : messages;
    subAgents = subAgents == null ? List.of() : subAgents;
    usage = usage == null ? TokenUsage.ZERO : usage;
    held = held == null ? List.of() : held;
    decisions = decisions == null ? List.of() : decisions;
    origin = origin == null ? Origin.NONE : origin;
  }

  /**
   * Whose the run is and which conversation it continues.
   *
   * @param owner the principal the run belongs to; null for the shared principal (and for runs
   *     started before owners existed)
   * @param sessionId the session of which the run is a turn; null for none
   * @param historySize how many of the run's messages are its session's conversation before it
   * @param maxTokens the token budget its start asked for (0: none; see {@link RunLimits#budget})
   */
  public record Origin(String owner, String sessionId, int historySize, long maxTokens)
      implements CborSerializable {
    public static final Origin NONE = new Origin(null, null, 0, 0);
  }

  /** The run's own messages: those after its session's history. */
  @JsonIgnore
  public List<Message> turnMessages() {
    return messages.subList(Math.min(origin.historySize(), messages.size()), messages.size());
  }

  /**
   * A tool call of the state's step that waits for someone: an approval ({@code approvalId} set)
   * or a client's result. {@code kind} is a {@link PendingRequest} kind.
   */
  public record Held(
      String kind,
      int step,
      String toolCallId,
      String toolName,
      String approvalId,
      JsonNode input,
      long requestedAt)
      implements CborSerializable {}

  /** An approval decided, kept to answer the same decision again as the first time. */
  public record Decision(String approvalId, String toolCallId, boolean approved, String reason)
      implements CborSerializable {}

  /** A sub-agent's run started for a tool call. */
  public record SubAgentRef(int step, String toolCallId, String childRunId, String agentType)
      implements CborSerializable {}

  public static final RunState EMPTY =
      new RunState(
          null, null, null, null, null, null, List.of(), 0, TokenUsage.ZERO, null, null, false,
          null, null, List.of(), 0, 0, null, List.of(), List.of(), Origin.NONE);

  @JsonIgnore
  public boolean started() {
    return runId != null;
  }

  @JsonIgnore
  public boolean running() {
    return status == RunStatus.running;
  }

  /** Running or suspended: it has work to do or to wait for, and takes decisions. */
  @JsonIgnore
  public boolean active() {
    return status == RunStatus.running || status == RunStatus.suspended;
  }

  @JsonIgnore
  public boolean interrupted() {
    return status == RunStatus.interrupted;
  }

  @JsonIgnore
  public boolean terminal() {
    return status != null && status.isTerminal();
  }

  @JsonIgnore
  public boolean isRoot() {
    return parentRunId == null;
  }

  /** The tool calls of the last model response that have no recorded result yet. */
  @JsonIgnore
  public List<ToolCall> pendingToolCalls() {
    Set<String> answered = new HashSet<>();
    for (int i = messages.size() - 1; i >= 0; i--) {
      Message message = messages.get(i);
      if (message instanceof ToolResultMessage result) {
        answered.add(result.toolCallId());
      } else if (message instanceof AssistantMessage assistant) {
        return assistant.toolCalls().stream().filter(c -> !answered.contains(c.id())).toList();
      } else {
        return List.of();
      }
    }
    return List.of();
  }

  public RunResult toResult() {
    List<PendingRequest> pending =
        held.stream()
            .map(
                h ->
                    new PendingRequest(
                        h.kind(), runId, h.toolCallId(), h.approvalId(), h.toolName(), h.input()))
            .toList();
    return new RunResult(
        runId, agentType, status, output, error, aborted, abortReason, step, usage, customState,
        parentRunId, streamId, pending, origin.owner(), origin.sessionId());
  }

  /** The held call {@code toolCallId}, if it waits. */
  public java.util.Optional<Held> heldCall(String toolCallId) {
    return held.stream().filter(h -> h.toolCallId().equals(toolCallId)).findFirst();
  }

  public java.util.Optional<SubAgentRef> subAgent(String toolCallId) {
    return subAgents.stream().filter(s -> s.toolCallId().equals(toolCallId)).findFirst();
  }

  RunState apply(RunEvent event) {
    if (event instanceof RunEvent.RunStarted e) {
      return new RunState(
          e.runId(), e.agentType(), e.message(), e.streamId(), e.parentRunId(), RunStatus.running,
          conversation(e.history(), e.message()), 0, TokenUsage.ZERO, null, null, false, null,
          e.initialState(), List.of(), e.timestamp(), e.timestamp(), e.traceParent(), List.of(),
          List.of(), new Origin(e.owner(), e.sessionId(), e.history().size(), e.maxTokens()));
    } else if (event instanceof RunEvent.ModelResponded e) {
      return with(plus(e.message()), e.step(), usage.plus(e.usage()), customState, subAgents, e);
    } else if (event instanceof RunEvent.ToolResultRecorded e) {
      ToolResultMessage result =
          new ToolResultMessage(e.toolCallId(), e.toolName(), e.result(), e.success(), e.error());
      return with(plus(result), step, usage, customState, subAgents, e)
          .holding(without(e.toolCallId()), decisions);
    } else if (event instanceof RunEvent.ApprovalRequested e) {
      Held request =
          new Held(
              PendingRequest.APPROVAL, e.step(), e.toolCallId(), e.toolName(), e.approvalId(),
              e.input(), e.timestamp());
      return touched(e).holding(plusHeld(request), decisions);
    } else if (event instanceof RunEvent.ClientToolRequested e) {
      Held request =
          new Held(
              PendingRequest.CLIENT_TOOL, e.step(), e.toolCallId(), e.toolName(), null, e.input(),
              e.timestamp());
      return touched(e).holding(plusHeld(request), decisions);
    } else if (event instanceof RunEvent.ApprovalDecided e) {
      List<Decision> more = new ArrayList<>(decisions);
      more.add(new Decision(e.approvalId(), e.toolCallId(), e.approved(), e.reason()));
      return touched(e).holding(without(e.toolCallId()), List.copyOf(more));
    } else if (event instanceof RunEvent.RunInterrupted e) {
      return withInterrupted(e.interrupted(), e)
          .withStatus(RunStatus.interrupted, List.of(), e);
    } else if (event instanceof RunEvent.RunResumed e) {
      RunState resumed =
          e.message() == null
              ? this
              : with(plus(new UserMessage(e.message())), step, usage, customState, subAgents, e);
      return resumed.withStatus(
          held.isEmpty() ? RunStatus.running : RunStatus.suspended, held, e);
    } else if (event instanceof RunEvent.OutputRequested e) {
      return with(plus(new UserMessage(e.reminder())), step, usage, customState, subAgents, e);
    } else if (event instanceof RunEvent.StateUpdated e) {
      return with(messages, step, usage, JsonPatch.apply(customState, e.patch()), subAgents, e);
    } else if (event instanceof RunEvent.SubAgentStarted e) {
      List<SubAgentRef> more = new ArrayList<>(subAgents);
      more.add(new SubAgentRef(e.step(), e.toolCallId(), e.childRunId(), e.agentType()));
      return with(messages, step, usage, customState, List.copyOf(more), e);
    } else if (event instanceof RunEvent.RunCompleted e) {
      return ended(RunStatus.completed, e.output(), null, false, null, e);
    } else if (event instanceof RunEvent.RunFailed e) {
      return withInterrupted(e.interrupted(), e)
          .ended(RunStatus.failed, null, e.error(), false, null, e);
    } else if (event instanceof RunEvent.RunAborted e) {
      return withInterrupted(e.interrupted(), e)
          .ended(RunStatus.failed, null, "aborted: " + e.reason(), true, e.reason(), e);
    }
    throw new IllegalArgumentException("unknown run event " + event);
  }

  /**
   * The state holding these calls: suspended while any waits, running again once none does (an
   * interrupted or ended run keeps its status).
   */
  private RunState holding(List<Held> newHeld, List<Decision> newDecisions) {
    RunStatus newStatus = status;
    if (active()) {
      newStatus = newHeld.isEmpty() ? RunStatus.running : RunStatus.suspended;
    }
    return new RunState(
        runId, agentType, input, streamId, parentRunId, newStatus, messages, step, usage, output,
        error, aborted, abortReason, customState, subAgents, createdAt, updatedAt, traceParent,
        newHeld, newDecisions, origin);
  }

  private RunState withStatus(RunStatus newStatus, List<Held> newHeld, RunEvent event) {
    return new RunState(
        runId, agentType, input, streamId, parentRunId, newStatus, messages, step, usage, output,
        error, aborted, abortReason, customState, subAgents, createdAt, event.timestamp(),
        traceParent, newHeld, decisions, origin);
  }

  private RunState touched(RunEvent event) {
    return with(messages, step, usage, customState, subAgents, event);
  }

  private List<Held> plusHeld(Held request) {
    List<Held> more = new ArrayList<>(held);
    more.add(request);
    return List.copyOf(more);
  }

  private List<Held> without(String toolCallId) {
    return held.stream().filter(h -> !h.toolCallId().equals(toolCallId)).toList();
  }

  /** The answer a run's end cut short, if any, as its last message. */
  private RunState withInterrupted(AssistantMessage interrupted, RunEvent event) {
    return interrupted == null
        ? this
        : with(plus(interrupted), step, usage, customState, subAgents, event);
  }

  private RunState with(
      List<Message> newMessages,
      int newStep,
      TokenUsage newUsage,
      JsonNode newState,
      List<SubAgentRef> newSubAgents,
      RunEvent event) {
    return new RunState(
        runId, agentType, input, streamId, parentRunId, status, newMessages, newStep, newUsage,
        output, error, aborted, abortReason, newState, newSubAgents, createdAt, event.timestamp(),
        traceParent, held, decisions, origin);
  }

  private RunState ended(
      RunStatus newStatus,
      JsonNode newOutput,
      String newError,
      boolean wasAborted,
      String reason,
      RunEvent event) {
    return new RunState(
        runId, agentType, input, streamId, parentRunId, newStatus, messages, step, usage,
        newOutput, newError, wasAborted, reason, customState, subAgents, createdAt,
        event.timestamp(), traceParent, List.of(), decisions, origin);
  }

  /** A session's conversation so far, then the turn's message. */
  private static List<Message> conversation(List<Message> history, String message) {
    List<Message> all = new ArrayList<>(history.size() + 1);
    all.addAll(history);
    all.add(new UserMessage(message));
    return List.copyOf(all);
  }

  private List<Message> plus(Message message) {
    List<Message> more = new ArrayList<>(messages.size() + 1);
    more.addAll(messages);
    more.add(message);
    return List.copyOf(more);
  }
}
