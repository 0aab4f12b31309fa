package io.helix.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.model.AssistantMessage;
import io.helix.model.ModelEvent;
import io.helix.model.TokenUsage;
import io.helix.model.ToolCall;
import io.helix.run.RunChunks.Chunk;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a run streams, without an actor system. */
class RunChunksTest {

  static final long NOW = 42;

  static Chunk chunk(String type, String json) {
    return new Chunk(type, (com.fasterxml.jackson.databind.node.ObjectNode) Json.parse(json));
  }

  @Test
  void aRunStartsWithItsMessage() {
    assertEquals(chunk("run_start", "{\"message\":\"hi\"}"), RunChunks.runStart("hi"));
  }

  @Test
  void aResponseStartsEachOfItsToolCalls() {
    ToolCall add = new ToolCall("c1", "add", Json.object().put("a", 1));
    ToolCall look = new ToolCall("c2", "look", Json.object());
    var responded =
        new RunEvent.ModelResponded(
            1, new AssistantMessage("", List.of(add, look), null), "tool_calls", TokenUsage.ZERO,
            NOW);
    assertEquals(
        List.of(
            chunk("tool_start", "{\"toolCallId\":\"c1\",\"toolName\":\"add\",\"arguments\":{\"a\":1}}"),
            chunk("tool_start", "{\"toolCallId\":\"c2\",\"toolName\":\"look\",\"arguments\":{}}")),
        RunChunks.ofEvent(responded));
    var answer =
        new RunEvent.ModelResponded(
            1, new AssistantMessage("hi", List.of(), null), "stop", TokenUsage.ZERO, NOW);
    assertEquals(List.of(), RunChunks.ofEvent(answer), "text is streamed as deltas");
  }

  @Test
  void aToolResultEndsItsCall() {
    var success =
        new RunEvent.ToolResultRecorded(1, "c1", "add", Json.object().put("sum", 5), true, null, NOW);
    assertEquals(
        List.of(
            chunk(
                "tool_end",
                "{\"toolCallId\":\"c1\",\"toolName\":\"add\",\"success\":true,\"result\":{\"sum\":5}}")),
        RunChunks.ofEvent(success));
    var failure = new RunEvent.ToolResultRecorded(1, "c1", "add", null, false, "boom", NOW);
    assertEquals(
        List.of(
            chunk(
                "tool_end",
                "{\"toolCallId\":\"c1\",\"toolName\":\"add\",\"success\":false,\"result\":null,"
                    + "\"error\":\"boom\"}")),
        RunChunks.ofEvent(failure));
  }

  @Test
  void aStateUpdateIsStreamedAsItsPatch() {
    JsonNode patch = Json.parse("[{\"op\":\"add\",\"path\":\"/b\",\"value\":1}]");
    assertEquals(
        List.of(
            chunk(
                "state_patch",
                "{\"toolCallId\":\"c1\",\"patch\":[{\"op\":\"add\",\"path\":\"/b\",\"value\":1}]}")),
        RunChunks.ofEvent(new RunEvent.StateUpdated(1, "c1", patch, NOW)));
  }

  @Test
  void aStartStreamsItsMessage() {
    assertEquals(
        List.of(RunChunks.runStart("hi")),
        RunChunks.ofEvent(new RunEvent.RunStarted("r", "a", "hi", "r", null, Json.object(), NOW)));
  }

  @Test
  void otherEventsStreamNothingOfTheirOwn() {
    List<RunEvent> silent =
        List.of(
            new RunEvent.OutputRequested(1, "finish", NOW),
            new RunEvent.SubAgentStarted(1, "s1", "child", "helper", NOW),
            new RunEvent.RunCompleted(TextNode.valueOf("x"), NOW),
            new RunEvent.RunFailed("x", null, NOW),
            new RunEvent.RunAborted("x", null, NOW));
    silent.forEach(event -> assertEquals(List.of(), RunChunks.ofEvent(event), event.toString()));
  }

  @Test
  void aCompletedRunEndsWithItsOutput() {
    RunState completed =
        RunState.EMPTY
            .apply(new RunEvent.RunStarted("r", "a", "hi", "r", null, Json.object(), NOW))
            .apply(new RunEvent.RunCompleted(TextNode.valueOf("done"), NOW));
    assertEquals(
        List.of(
            chunk("output", "{\"output\":\"done\"}"),
            chunk("run_end", "{\"status\":\"completed\"}")),
        RunChunks.runEnd(completed));
  }

  @Test
  void aFailedRunEndsWithItsErrorSayingWhetherItWasAborted() {
    RunState started =
        RunState.EMPTY.apply(new RunEvent.RunStarted("r", "a", "hi", "r", null, Json.object(), NOW));
    assertEquals(
        List.of(
            chunk("error", "{\"error\":\"boom\",\"aborted\":false,\"recoverable\":false}"),
            chunk("run_end", "{\"status\":\"failed\"}")),
        RunChunks.runEnd(started.apply(new RunEvent.RunFailed("boom", null, NOW))));
    Chunk aborted = RunChunks.runEnd(started.apply(new RunEvent.RunAborted("stop", null, NOW))).get(0);
    assertEquals("aborted: stop", aborted.data().get("error").asText());
    assertTrue(aborted.data().get("aborted").asBoolean());
  }

  @Test
  void modelDeltasAreStreamedAsTheyArrive() {
    assertEquals(
        Optional.of(chunk("text_delta", "{\"delta\":\"Hel\"}")),
        RunChunks.ofModelEvent(new ModelEvent.TextDelta("Hel")));
    assertEquals(
        Optional.of(chunk("thinking", "{\"content\":\"hmm\",\"isComplete\":false}")),
        RunChunks.ofModelEvent(new ModelEvent.ThinkingDelta("hmm")));
    assertEquals(
        Optional.of(chunk("tool_arg_stream_start", "{\"toolCallId\":\"c1\",\"toolName\":\"add\"}")),
        RunChunks.ofModelEvent(new ModelEvent.ToolCallStarted("c1", "add")));
    assertEquals(
        Optional.of(chunk("tool_arg_stream_delta", "{\"toolCallId\":\"c1\",\"delta\":\"{\\\"a\"}")),
        RunChunks.ofModelEvent(new ModelEvent.ToolCallArgumentsDelta("c1", "{\"a")));
  }

  @Test
  void whatComesWithThePersistedResponseIsNotStreamedAsADelta() {
    assertFalse(
        RunChunks.ofModelEvent(new ModelEvent.ToolCallRequested(new ToolCall("c", "t", null)))
            .isPresent());
    assertFalse(RunChunks.ofModelEvent(new ModelEvent.ProviderAttributes(Map.of())).isPresent());
    assertFalse(
        RunChunks.ofModelEvent(new ModelEvent.Finished("stop", TokenUsage.ZERO)).isPresent());
  }

  @Test
  void aRetriedStepVoidsItsDeltas() {
    assertEquals(
        chunk("stream_resync", "{\"reason\":\"the model call of step 3 is made again\"}"),
        RunChunks.resync(3));
  }

  @Test
  void aToolsCustomEvent() {
    assertEquals(
        chunk("custom", "{\"toolCallId\":\"c1\",\"eventName\":\"counted\",\"data\":{\"n\":1}}"),
        RunChunks.custom("c1", "counted", Json.object().put("n", 1)));
  }

  @Test
  void aSubAgentStartsAndEnds() {
    assertEquals(
        chunk(
            "subagent_start",
            "{\"toolCallId\":\"s1\",\"subAgentType\":\"helper\",\"subAgentId\":\"child-1\","
                + "\"message\":\"add\"}"),
        RunChunks.subAgentStart("s1", "helper", "child-1", "add"));
    RunResult completed =
        new RunResult(
            "child-1", "helper", RunStatus.completed, Json.object().put("sum", 5), null, false,
            null, 2, TokenUsage.ZERO, Json.object(), "r", "r");
    assertEquals(
        chunk(
            "subagent_end",
            "{\"toolCallId\":\"s1\",\"subAgentType\":\"helper\",\"subAgentId\":\"child-1\","
                + "\"status\":\"completed\",\"output\":{\"sum\":5}}"),
        RunChunks.subAgentEnd("s1", completed));
    RunResult failed =
        new RunResult(
            "child-1", "helper", RunStatus.failed, null, "boom", false, null, 1, TokenUsage.ZERO,
            Json.object(), "r", "r");
    Chunk end = RunChunks.subAgentEnd("s1", failed);
    assertEquals("boom", end.data().get("error").asText());
    assertEquals("failed", end.data().get("status").asText());
  }
}
