package io.helix.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
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
    long createdAt,
    long updatedAt)
    implements CborSerializable {

  public static final RunState EMPTY =
      new RunState(
          null, null, null, null, null, null, List.of(), 0, TokenUsage.ZERO, null, null, false,
          null, 0, 0);

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
        runId, agentType, status, output, error, aborted, abortReason, step, usage);
  }

  RunState apply(RunEvent event) {
    if (event instanceof RunEvent.RunStarted e) {
      return new RunState(
          e.runId(), e.agentType(), e.message(), e.streamId(), e.parentRunId(), RunStatus.running,
          List.of(new UserMessage(e.message())), 0, TokenUsage.ZERO, null, null, false, null,
          e.timestamp(), e.timestamp());
    } else if (event instanceof RunEvent.ModelResponded e) {
      return new RunState(
          runId, agentType, input, streamId, parentRunId, status, plus(e.message()), e.step(),
          usage.plus(e.usage()), output, error, aborted, abortReason, createdAt, e.timestamp());
    } else if (event instanceof RunEvent.ToolResultRecorded e) {
      ToolResultMessage result =
          new ToolResultMessage(e.toolCallId(), e.toolName(), e.result(), e.success(), e.error());
      return new RunState(
          runId, agentType, input, streamId, parentRunId, status, plus(result), step, usage,
          output, error, aborted, abortReason, createdAt, e.timestamp());
    } else if (event instanceof RunEvent.RunCompleted e) {
      return new RunState(
          runId, agentType, input, streamId, parentRunId, RunStatus.completed, messages, step,
          usage, e.output(), null, false, null, createdAt, e.timestamp());
    } else if (event instanceof RunEvent.RunFailed e) {
      return new RunState(
          runId, agentType, input, streamId, parentRunId, RunStatus.failed, messages, step, usage,
          null, e.error(), false, null, createdAt, e.timestamp());
    } else if (event instanceof RunEvent.RunAborted e) {
      return new RunState(
          runId, agentType, input, streamId, parentRunId, RunStatus.failed, messages, step, usage,
          null, "aborted: " + e.reason(), true, e.reason(), createdAt, e.timestamp());
    }
    throw new IllegalArgumentException("unknown run event " + event);
  }

  private List<Message> plus(Message message) {
    List<Message> more = new ArrayList<>(messages.size() + 1);
    more.addAll(messages);
    more.add(message);
    return List.copyOf(more);
  }
}
