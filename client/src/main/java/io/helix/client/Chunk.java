package io.helix.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One chunk of a run's stream, typed by its {@code type}: a record per chunk type the server
 * emits, and {@link Unknown} for a type this client does not know yet (a newer server). Every chunk
 * keeps the JSON it was read from ({@link #json()}), with any field this client does not know.
 *
 * <p>A stream holds the chunks of its root run and of every sub-agent the run calls, each with its
 * own {@link #runId()}; it ends with the root run's {@link RunEnd}.
 *
 * <pre>{@code
 * if (chunk instanceof Chunk.TextDelta text) {
 *   System.out.print(text.delta());
 * } else if (chunk instanceof Chunk.ToolStart tool) {
 *   System.out.println("calling " + tool.toolName() + " with " + tool.arguments());
 * }
 * }</pre>
 *
 * <p>JSON fields that are absent or null are {@code null} (or {@code false}, 0) in the records.
 */
public sealed interface Chunk {

  /** The fields every chunk has. */
  Header header();

  /** The chunk as the server sent it. */
  ObjectNode json();

  /** Its offset in the stream: 0, 1, 2, ... with no gap; the SSE event id. */
  default long seq() {
    return header().seq();
  }

  /** The chunk type, e.g. {@code text_delta}. */
  default String type() {
    return header().type();
  }

  /** The run that produced it: the stream's root run, or a sub-agent's run. */
  default String runId() {
    return header().runId();
  }

  /** The agent type of the run that produced it. */
  default String agentType() {
    return header().agentType();
  }

  /** The producing run's step (model call), 0 before its first. */
  default int step() {
    return header().step();
  }

  /** When it was made, epoch milliseconds. */
  default long timestamp() {
    return header().timestamp();
  }

  /** Reads a chunk from its JSON (an SSE event's data, or a WebSocket frame). */
  static Chunk fromJson(ObjectNode json) {
    return Chunks.parse(json);
  }

  /** The common fields of a chunk. */
  record Header(long seq, String type, String runId, String agentType, int step, long timestamp) {}

  /** {@code run_start}: a run began with this message (also a sub-agent's run). */
  record RunStart(Header header, String message, ObjectNode json) implements Chunk {}

  /** {@code text_delta}: the next piece of the model's answer text. */
  record TextDelta(Header header, String delta, ObjectNode json) implements Chunk {}

  /** {@code thinking}: the next piece of the model's reasoning. */
  record Thinking(Header header, String content, boolean isComplete, ObjectNode json)
      implements Chunk {}

  /** {@code tool_arg_stream_start}: the model began a tool call; its arguments stream next. */
  record ToolArgStreamStart(Header header, String toolCallId, String toolName, ObjectNode json)
      implements Chunk {}

  /** {@code tool_arg_stream_delta}: the next piece of a tool call's arguments (JSON text). */
  record ToolArgStreamDelta(Header header, String toolCallId, String delta, ObjectNode json)
      implements Chunk {}

  /** {@code tool_start}: the model's response asks for this tool call (it is persisted). */
  record ToolStart(
      Header header, String toolCallId, String toolName, JsonNode arguments, ObjectNode json)
      implements Chunk {}

  /** {@code tool_end}: a tool call's result, or its {@code error} when it failed. */
  record ToolEnd(
      Header header,
      String toolCallId,
      String toolName,
      boolean success,
      JsonNode result,
      String error,
      ObjectNode json)
      implements Chunk {}

  /** {@code state_patch}: a tool call changed the run's custom state by this JSON Patch. */
  record StatePatch(Header header, String toolCallId, JsonNode patch, ObjectNode json)
      implements Chunk {}

  /** {@code subagent_start}: the run called a sub-agent; its chunks follow on this stream. */
  record SubagentStart(
      Header header,
      String toolCallId,
      String subAgentType,
      String subAgentId,
      String message,
      ObjectNode json)
      implements Chunk {}

  /** {@code subagent_end}: a sub-agent's run ended; its output, or its error when it failed. */
  record SubagentEnd(
      Header header,
      String toolCallId,
      String subAgentType,
      String subAgentId,
      RunStatus status,
      JsonNode output,
      String error,
      ObjectNode json)
      implements Chunk {}

  /** {@code custom}: an event a tool emitted while it ran. */
  record Custom(Header header, String toolCallId, String eventName, JsonNode data, ObjectNode json)
      implements Chunk {}

  /** {@code output}: the run completed with this output (text, or the structured output). */
  record Output(Header header, JsonNode output, ObjectNode json) implements Chunk {}

  /** {@code error}: the run failed (or was aborted); a {@link RunEnd} follows. */
  record RunError(
      Header header, String error, boolean aborted, boolean recoverable, ObjectNode json)
      implements Chunk {}

  /**
   * {@code stream_resync}: the text and tool-argument deltas streamed so far for this step are void
   * (the model call is made again, e.g. after a crash or a retry): drop what you showed of them.
   */
  record StreamResync(Header header, String reason, ObjectNode json) implements Chunk {}

  /** {@code run_end}: a run ended; the root run's ends the stream. */
  record RunEnd(Header header, RunStatus status, ObjectNode json) implements Chunk {}

  /** A chunk of a type this client does not know; see {@link #type()} and {@link #json()}. */
  record Unknown(Header header, ObjectNode json) implements Chunk {}
}
