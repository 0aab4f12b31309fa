package io.helix.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.model.ModelEvent;
import io.helix.model.ToolCall;
import io.helix.stream.ChunkTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a run streams, as pure functions: the chunks (type and data, see {@link ChunkTypes}) of its
 * persisted events, of its model's deltas and of its end. The {@link ChunkOutbox} stamps them with
 * the run, step and time and sends them.
 */
final class RunChunks {

  /** A chunk's type and its own fields, before the outbox stamps it. */
  record Chunk(String type, ObjectNode data) {}

  private RunChunks() {}

  static Chunk runStart(String message) {
    return new Chunk(ChunkTypes.RUN_START, Json.object().put("message", message));
  }

  /**
   * The chunks of a persisted event: {@code run_start} of the start, a {@code tool_start} per tool
   * call of a model response, a
   * {@code tool_end} per tool result, a {@code state_patch} per state update; none for the others
   * (a run's end is streamed by {@link #runEnd}).
   */
  static List<Chunk> ofEvent(RunEvent event) {
    if (event instanceof RunEvent.RunStarted started) {
      return List.of(runStart(started.message()));
    } else if (event instanceof RunEvent.ModelResponded responded) {
      List<Chunk> starts = new ArrayList<>();
      for (ToolCall call : responded.message().toolCalls()) {
        ObjectNode data = toolCall(call.id()).put("toolName", call.name());
        data.set("arguments", call.arguments());
        starts.add(new Chunk(ChunkTypes.TOOL_START, data));
      }
      return starts;
    } else if (event instanceof RunEvent.ToolResultRecorded recorded) {
      ObjectNode data =
          toolCall(recorded.toolCallId())
              .put("toolName", recorded.toolName())
              .put("success", recorded.success());
      data.set("result", recorded.result() == null ? NullNode.getInstance() : recorded.result());
      if (recorded.error() != null) {
        data.put("error", recorded.error());
      }
      return List.of(new Chunk(ChunkTypes.TOOL_END, data));
    } else if (event instanceof RunEvent.ApprovalRequested requested) {
      ObjectNode data =
          toolCall(requested.toolCallId())
              .put("toolName", requested.toolName())
              .put("approvalId", requested.approvalId());
      data.set("input", requested.input());
      return List.of(new Chunk(ChunkTypes.TOOL_APPROVAL_REQUEST, data));
    } else if (event instanceof RunEvent.ApprovalDecided decided) {
      ObjectNode data =
          toolCall(decided.toolCallId())
              .put("approvalId", decided.approvalId())
              .put("approved", decided.approved())
              .put("reason", decided.reason());
      return List.of(new Chunk(ChunkTypes.TOOL_APPROVAL_DECISION, data));
    } else if (event instanceof RunEvent.ClientToolRequested requested) {
      ObjectNode data = toolCall(requested.toolCallId()).put("toolName", requested.toolName());
      data.set("input", requested.input());
      return List.of(new Chunk(ChunkTypes.CLIENT_TOOL_REQUEST, data));
    } else if (event instanceof RunEvent.RunInterrupted interrupted) {
      return List.of(
          new Chunk(ChunkTypes.RUN_INTERRUPTED, Json.object().put("reason", interrupted.reason())));
    } else if (event instanceof RunEvent.RunResumed resumed) {
      return List.of(
          new Chunk(ChunkTypes.RUN_RESUMED, Json.object().put("message", resumed.message())));
    } else if (event instanceof RunEvent.StateUpdated updated) {
      ObjectNode data = toolCall(updated.toolCallId());
      data.set("patch", updated.patch());
      return List.of(new Chunk(ChunkTypes.STATE_PATCH, data));
    }
    return List.of();
  }

  /** The step a persisted event's chunks name: its own, 0 for events without one. */
  static int stepOf(RunEvent event) {
    if (event instanceof RunEvent.ModelResponded e) {
      return e.step();
    } else if (event instanceof RunEvent.ToolResultRecorded e) {
      return e.step();
    } else if (event instanceof RunEvent.StateUpdated e) {
      return e.step();
    } else if (event instanceof RunEvent.ApprovalRequested e) {
      return e.step();
    } else if (event instanceof RunEvent.ApprovalDecided e) {
      return e.step();
    } else if (event instanceof RunEvent.ClientToolRequested e) {
      return e.step();
    }
    return 0;
  }

  /**
   * The run's status short of its end, as it shows it, with what a suspended run (or its
   * sub-agents) waits for.
   */
  static Chunk status(RunResult shown) {
    ObjectNode data = Json.object().put("status", shown.status().name());
    data.set("pending", Json.toTree(shown.pending()));
    return new Chunk(ChunkTypes.RUN_STATUS, data);
  }

  /** The last chunks of an ended run: its output or its error, then {@code run_end}. */
  static List<Chunk> runEnd(RunState state) {
    Chunk outcome;
    if (state.status() == RunStatus.failed) {
      outcome =
          new Chunk(
              ChunkTypes.ERROR,
              Json.object()
                  .put("error", state.error())
                  .put("aborted", state.aborted())
                  .put("recoverable", false));
    } else {
      ObjectNode data = Json.object();
      data.set("output", state.output());
      outcome = new Chunk(ChunkTypes.OUTPUT, data);
    }
    return List.of(
        outcome,
        new Chunk(ChunkTypes.RUN_END, Json.object().put("status", state.status().name())));
  }

  /** The chunk of a model delta: text, thinking, or a tool call's arguments as they stream. */
  static Optional<Chunk> ofModelEvent(ModelEvent event) {
    if (event instanceof ModelEvent.TextDelta delta) {
      return chunk(ChunkTypes.TEXT_DELTA, Json.object().put("delta", delta.text()));
    } else if (event instanceof ModelEvent.ThinkingDelta thinking) {
      return chunk(
          ChunkTypes.THINKING,
          Json.object().put("content", thinking.text()).put("isComplete", false));
    } else if (event instanceof ModelEvent.ToolCallStarted started) {
      return chunk(
          ChunkTypes.TOOL_ARG_STREAM_START,
          toolCall(started.toolCallId()).put("toolName", started.toolName()));
    } else if (event instanceof ModelEvent.ToolCallArgumentsDelta delta) {
      return chunk(
          ChunkTypes.TOOL_ARG_STREAM_DELTA,
          toolCall(delta.toolCallId()).put("delta", delta.delta()));
    }
    // complete tool calls, provider attributes and the finish come with the persisted response
    return Optional.empty();
  }

  /** The deltas streamed for {@code step} so far are void: its model call is made again. */
  static Chunk resync(int step) {
    return new Chunk(
        ChunkTypes.STREAM_RESYNC,
        Json.object().put("reason", "the model call of step " + step + " is made again"));
  }

  /** An event a tool emitted. */
  static Chunk custom(String toolCallId, String eventName, JsonNode data) {
    ObjectNode chunk = toolCall(toolCallId).put("eventName", eventName);
    chunk.set("data", data);
    return new Chunk(ChunkTypes.CUSTOM, chunk);
  }

  static Chunk subAgentStart(
      String toolCallId, String subAgentType, String childRunId, String message) {
    return new Chunk(
        ChunkTypes.SUBAGENT_START,
        toolCall(toolCallId)
            .put("subAgentType", subAgentType)
            .put("subAgentId", childRunId)
            .put("message", message));
  }

  /** A sub-agent's run ended: its status and output, and its error unless it completed. */
  static Chunk subAgentEnd(String toolCallId, RunResult child) {
    ObjectNode data =
        toolCall(toolCallId)
            .put("subAgentType", child.agentType())
            .put("subAgentId", child.runId())
            .put("status", child.status().name());
    data.set("output", child.output());
    if (child.status() != RunStatus.completed) {
      data.put("error", child.error());
    }
    return new Chunk(ChunkTypes.SUBAGENT_END, data);
  }

  private static ObjectNode toolCall(String toolCallId) {
    return Json.object().put("toolCallId", toolCallId);
  }

  private static Optional<Chunk> chunk(String type, ObjectNode data) {
    return Optional.of(new Chunk(type, data));
  }
}
