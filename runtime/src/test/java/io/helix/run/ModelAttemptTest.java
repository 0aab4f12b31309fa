package io.helix.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.helix.agent.AgentDefinition;
import io.helix.json.Json;
import io.helix.model.AssistantMessage;
import io.helix.model.ModelRequest;
import io.helix.model.ToolSpec;
import io.helix.testkit.TestAgents;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parts of a model attempt, without an actor system. */
class ModelAttemptTest {

  @Test
  void theRequestAsksForTheNextStepWithTheWholeConversation() {
    AgentDefinition agent =
        AgentDefinition.builder("summarizer")
            .systemPrompt("summarize")
            .model("openai:gpt-4o-mini")
            .tools(TestAgents.ADD)
            .outputSchema(Json.parse("{\"type\":\"object\"}"))
            .build();
    RunState state =
        RunState.EMPTY.apply(
            new RunEvent.RunStarted("run-1", "summarizer", "hi", "run-1", null, Json.object(), 1));
    ModelRequest request = ModelAttempt.request("run-1", state, agent);
    assertEquals("gpt-4o-mini", request.model());
    assertEquals("summarize", request.systemPrompt());
    assertEquals(state.messages(), request.messages());
    assertEquals(
        List.of("add", AgentDefinition.FINISH_TOOL),
        request.tools().stream().map(ToolSpec::name).toList());
    assertEquals("run-1", request.runId());
    assertEquals(1, request.step());
  }

  @Test
  void anInterruptedAnswerIsWhatWasStreamedIfAnything() {
    assertNull(ModelAttempt.interrupted("", ""));
    assertEquals(
        new AssistantMessage("half", List.of(), null), ModelAttempt.interrupted("half", ""));
    assertEquals(
        new AssistantMessage("", List.of(), "mulling"), ModelAttempt.interrupted("", "mulling"));
  }
}
