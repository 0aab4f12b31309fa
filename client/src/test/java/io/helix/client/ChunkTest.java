package io.helix.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every chunk type the server makes (see RunEntity) reads as its record. */
class ChunkTest {

  private static Chunk read(String json) throws Exception {
    return Chunk.fromJson((ObjectNode) Transport.MAPPER.readTree(json));
  }

  private static String chunk(String type, String fields) {
    return "{\"seq\":7,\"type\":\"" + type + "\",\"runId\":\"r\",\"agentId\":\"r\","
        + "\"agentType\":\"research\",\"step\":2,\"timestamp\":1700000000000" + fields + "}";
  }

  @Test
  void everyTypeHasItsRecord() throws Exception {
    Map<String, Class<? extends Chunk>> types =
        Map.ofEntries(
            Map.entry("run_start", Chunk.RunStart.class),
            Map.entry("text_delta", Chunk.TextDelta.class),
            Map.entry("thinking", Chunk.Thinking.class),
            Map.entry("tool_arg_stream_start", Chunk.ToolArgStreamStart.class),
            Map.entry("tool_arg_stream_delta", Chunk.ToolArgStreamDelta.class),
            Map.entry("tool_start", Chunk.ToolStart.class),
            Map.entry("tool_end", Chunk.ToolEnd.class),
            Map.entry("state_patch", Chunk.StatePatch.class),
            Map.entry("subagent_start", Chunk.SubagentStart.class),
            Map.entry("subagent_end", Chunk.SubagentEnd.class),
            Map.entry("custom", Chunk.Custom.class),
            Map.entry("output", Chunk.Output.class),
            Map.entry("error", Chunk.RunError.class),
            Map.entry("stream_resync", Chunk.StreamResync.class),
            Map.entry("run_end", Chunk.RunEnd.class),
            Map.entry("something_new", Chunk.Unknown.class));
    for (var type : types.entrySet()) {
      Chunk chunk = read(chunk(type.getKey(), ""));
      assertInstanceOf(type.getValue(), chunk, type.getKey());
      assertEquals(new Chunk.Header(7, type.getKey(), "r", "research", 2, 1_700_000_000_000L), chunk.header());
    }
  }

  @Test
  void theTypesFieldsAreRead() throws Exception {
    Chunk.Thinking thinking =
        (Chunk.Thinking) read(chunk("thinking", ",\"content\":\"hmm\",\"isComplete\":false"));
    assertEquals("hmm", thinking.content());
    assertFalse(thinking.isComplete());

    Chunk.ToolEnd failed =
        (Chunk.ToolEnd) read(chunk("tool_end",
            ",\"toolCallId\":\"c\",\"toolName\":\"fetch\",\"success\":false,\"result\":null,\"error\":\"404\""));
    assertFalse(failed.success());
    assertNull(failed.result());
    assertEquals("404", failed.error());

    Chunk.StatePatch patch =
        (Chunk.StatePatch) read(chunk("state_patch",
            ",\"toolCallId\":\"c\",\"patch\":[{\"op\":\"add\",\"path\":\"/n\",\"value\":1}]"));
    assertEquals("add", patch.patch().get(0).get("op").asText());

    Chunk.Custom custom =
        (Chunk.Custom) read(chunk("custom", ",\"toolCallId\":\"c\",\"eventName\":\"progress\",\"data\":{\"pct\":50}"));
    assertEquals("progress", custom.eventName());
    assertEquals(50, custom.data().get("pct").asInt());

    Chunk.RunError error =
        (Chunk.RunError) read(chunk("error", ",\"error\":\"aborted\",\"aborted\":true,\"recoverable\":false"));
    assertTrue(error.aborted());
    assertEquals("aborted", error.error());

    Chunk.Output output = (Chunk.Output) read(chunk("output", ",\"output\":{\"value\":\"42\"}"));
    assertEquals("42", output.output().get("value").asText());

    Chunk.StreamResync resync = (Chunk.StreamResync) read(chunk("stream_resync", ",\"reason\":\"again\""));
    assertEquals("again", resync.reason());

    Chunk.RunEnd end = (Chunk.RunEnd) read(chunk("run_end", ",\"status\":\"failed\""));
    assertEquals(RunStatus.FAILED, end.status());
  }

  @Test
  void anUnknownTypeKeepsItsJson() throws Exception {
    ObjectNode json = (ObjectNode) Transport.MAPPER.readTree(chunk("approval_request", ",\"question\":\"ok?\""));
    Chunk chunk = Chunk.fromJson(json);
    assertInstanceOf(Chunk.Unknown.class, chunk);
    assertEquals("approval_request", chunk.type());
    assertSame(json, chunk.json());
    assertEquals("ok?", chunk.json().get("question").asText());
    assertEquals(RunStatus.UNKNOWN, ((Chunk.RunEnd) read(chunk("run_end", ",\"status\":\"paused\""))).status());
  }
}
