package io.helix.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.json.Json;
import io.helix.stream.ChunkTypes;
import io.helix.stream.StreamChunk;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's chunks as the Vercel AI SDK's UI message stream (protocol v1, what {@code useChat} and
 * {@code DefaultChatTransport} read): one assistant message whose parts are the root run's text,
 * reasoning and tool calls, step by step. The sub-agents' own chunks, also on the root's stream, are
 * left out: a sub-agent appears as the tool call that ran it. Stateful (which text or reasoning part
 * is open, which step): one instance per response.
 */
final class UiMessageStream {

  /** The response header that names the protocol. */
  static final String HEADER = "x-vercel-ai-ui-message-stream";

  static final String VERSION = "v1";

  private final String runId;
  private int step;
  private String openText;
  private String openReasoning;
  private int parts;

  UiMessageStream(String runId) {
    this(runId, -1);
  }

  /** A response that continues the run's message from step {@code step} (-1: from its start). */
  UiMessageStream(String runId, int step) {
    this.runId = runId;
    this.step = step;
  }

  /** The first chunks of the response. */
  List<ObjectNode> start() {
    return List.of(Json.object().put("type", "start").put("messageId", runId));
  }

  /** The UI chunks of one Helix chunk (none for most of a sub-agent's). */
  List<ObjectNode> map(StreamChunk chunk) {
    List<ObjectNode> out = new ArrayList<>();
    if (!chunk.runId().equals(runId)) {
      return out;
    }
    JsonNode data = chunk.data();
    if (chunk.step() > step
        && !chunk.type().equals(ChunkTypes.RUN_END)
        && !chunk.type().equals(ChunkTypes.RUN_STATUS)) {
      closeParts(out);
      if (step >= 0) {
        out.add(type("finish-step"));
      }
      out.add(type("start-step"));
      step = chunk.step();
    }
    switch (chunk.type()) {
      case ChunkTypes.TEXT_DELTA -> {
        if (openReasoning != null) {
          out.add(type("reasoning-end").put("id", openReasoning));
          openReasoning = null;
        }
        if (openText == null) {
          openText = "text-" + (++parts);
          out.add(type("text-start").put("id", openText));
        }
        out.add(type("text-delta").put("id", openText).put("delta", data.path("delta").asText()));
      }
      case ChunkTypes.THINKING -> {
        if (openText != null) {
          out.add(type("text-end").put("id", openText));
          openText = null;
        }
        if (openReasoning == null) {
          openReasoning = "reasoning-" + (++parts);
          out.add(type("reasoning-start").put("id", openReasoning));
        }
        out.add(
            type("reasoning-delta")
                .put("id", openReasoning)
                .put("delta", data.path("content").asText()));
      }
      case ChunkTypes.TOOL_ARG_STREAM_START -> {
        closeParts(out);
        out.add(
            type("tool-input-start")
                .put("toolCallId", data.path("toolCallId").asText())
                .put("toolName", data.path("toolName").asText()));
      }
      case ChunkTypes.TOOL_ARG_STREAM_DELTA ->
          out.add(
              type("tool-input-delta")
                  .put("toolCallId", data.path("toolCallId").asText())
                  .put("inputTextDelta", data.path("delta").asText()));
      case ChunkTypes.TOOL_START -> {
        closeParts(out);
        ObjectNode available =
            type("tool-input-available")
                .put("toolCallId", data.path("toolCallId").asText())
                .put("toolName", data.path("toolName").asText());
        available.set("input", data.has("arguments") ? data.get("arguments") : Json.object());
        out.add(available);
      }
      case ChunkTypes.TOOL_END -> {
        closeParts(out);
        if (data.path("success").asBoolean()) {
          ObjectNode output = type("tool-output-available").put("toolCallId", data.path("toolCallId").asText());
          output.set("output", data.get("result"));
          out.add(output);
        } else {
          out.add(
              type("tool-output-error")
                  .put("toolCallId", data.path("toolCallId").asText())
                  .put("errorText", data.path("error").asText()));
        }
      }
      case ChunkTypes.TOOL_APPROVAL_REQUEST -> {
        closeParts(out);
        out.add(
            type("tool-approval-request")
                .put("approvalId", data.path("approvalId").asText())
                .put("toolCallId", data.path("toolCallId").asText()));
      }
      case ChunkTypes.RUN_STATUS -> {
        if (waitsForSomeone(chunk)) {
          // the answer stops here: a person approves, or the client runs its tool, then sends again
          closeParts(out);
          if (step >= 0) {
            out.add(type("finish-step"));
          }
          out.add(type("finish"));
        }
      }
      case ChunkTypes.ERROR -> {
        closeParts(out);
        out.add(type("error").put("errorText", data.path("error").asText()));
      }
      case ChunkTypes.RUN_END -> {
        closeParts(out);
        if (step >= 0) {
          out.add(type("finish-step"));
        }
        out.add(type("finish"));
      }
      default -> {
        // run_start, output (the text is already there), state patches, custom events: no part
      }
    }
    return out;
  }

  /**
   * Whether the chunk ends the response: the root run's end, or the run waiting for someone (an
   * approval, a client-executed tool, an interrupt), as the AI SDK's tool approvals and client
   * tools expect: the client answers in its next request.
   */
  boolean ends(StreamChunk chunk) {
    return chunk.runId().equals(runId)
        && (chunk.type().equals(ChunkTypes.RUN_END) || waitsForSomeone(chunk));
  }

  private static boolean waitsForSomeone(StreamChunk chunk) {
    String status = chunk.data().path("status").asText();
    return chunk.type().equals(ChunkTypes.RUN_STATUS)
        && (status.equals("suspended") || status.equals("interrupted"));
  }

  private void closeParts(List<ObjectNode> out) {
    if (openText != null) {
      out.add(type("text-end").put("id", openText));
      openText = null;
    }
    if (openReasoning != null) {
      out.add(type("reasoning-end").put("id", openReasoning));
      openReasoning = null;
    }
  }

  private static ObjectNode type(String type) {
    return Json.object().put("type", type);
  }
}
