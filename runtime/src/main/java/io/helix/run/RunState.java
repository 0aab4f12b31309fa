package io.helix.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
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
    String traceParent)
    implements CborSerializable {

  /**
   * Fills what a snapshot written before a field existed lacks (see
   * docs/journal-compatibility.md): lists are never null, usage is never null.
   */
  public RunState {
    messages = messages == null ? List.of() : messages;
    subAgents = subAgents == null ? List.of() : subAgents;
    usage = usage == null ? TokenUsage.ZERO : usage;
  }

  /** A sub-agent's run started for a tool call. */
  public record SubAgentRef(int step, String toolCallId, String childRunId, String agentType)
      implements CborSerializable {}

  public static final RunState EMPTY =
      new RunState(
          null, null, null, null, null, null, List.of(), 0, TokenUsage.ZERO, null, null, false,
          null, null, List.of(), 0, 0, null);

  @JsonIgnore
  public boolean started() {
    return runId != null;
  }

  @JsonIgnore
  public boolean running() {
    return status == RunStatus.running;
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
    return new RunResult(
        runId, agentType, status, output, error, aborted, abortReason, step, usage, customState,
        parentRunId, streamId);
  }

  public java.util.Optional<SubAgentRef> subAgent(String toolCallId) {
    return subAgents.stream().filter(s -> s.toolCallId().equals(toolCallId)).findFirst();
  }

  RunState apply(RunEvent event) {
    if (event instanceof RunEvent.RunStarted e) {
      return new RunState(
          e.runId(), e.agentType(), e.message(), e.streamId(), e.parentRunId(), RunStatus.running,
          List.of(new UserMessage(e.message())), 0, TokenUsage.ZERO, null, null, false, null,
          e.initialState(), List.of(), e.timestamp(), e.timestamp(), e.traceParent());
    } else if (event instanceof RunEvent.ModelResponded e) {
      return with(plus(e.message()), e.step(), usage.plus(e.usage()), customState, subAgents, e);
    } else if (event instanceof RunEvent.ToolResultRecorded e) {
      ToolResultMessage result =
          new ToolResultMessage(e.toolCallId(), e.toolName(), e.result(), e.success(), e.error());
      return with(plus(result), step, usage, customState, subAgents, e);
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
        traceParent);
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
        event.timestamp(), traceParent);
  }

  private List<Message> plus(Message message) {
    List<Message> more = new ArrayList<>(messages.size() + 1);
    more.addAll(messages);
    more.add(message);
    return List.copyOf(more);
  }
}
