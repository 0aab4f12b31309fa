package io.helix.run;

import static io.helix.run.RunDecisionsTest.NOW;
import static io.helix.run.RunDecisionsTest.add;
import static io.helix.run.RunDecisionsTest.apply;
import static io.helix.run.RunDecisionsTest.plain;
import static io.helix.run.RunDecisionsTest.started;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.helix.agent.AgentDefinition;
import io.helix.agent.RunStatus;
import io.helix.model.AssistantMessage;
import io.helix.model.ModelResponse;
import io.helix.model.TokenUsage;
import io.helix.model.ToolCall;
import io.helix.testkit.HitlAgents;
import io.helix.testkit.TestAgents;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The token budget of a run, without an actor system. */
class RunLimitsTest {

  static ModelResponse calls(TokenUsage usage, ToolCall... calls) {
    return new ModelResponse(new AssistantMessage("", List.of(calls), null), "tool_calls", usage);
  }

  static ModelResponse text(TokenUsage usage) {
    return new ModelResponse(new AssistantMessage("the end", List.of(), null), "stop", usage);
  }

  @Test
  void aResponseWithinTheBudgetGoesOn() {
    RunState state = started(plain(5));
    List<RunEvent> events =
        RunDecisions.onModelAnswer(
            state, Optional.of(plain(5)), calls(new TokenUsage(7, 3), add("c1")), 10, NOW);
    assertEquals(1, events.size(), "exactly at the budget is within it: " + events);
    assertEquals(RunStatus.running, apply(state, events).status());
  }

  @Test
  void aResponseBeyondTheBudgetIsKeptAndFailsTheRunWithoutRunningItsCalls() {
    RunState state = started(plain(5));
    RunState first =
        apply(
            state,
            RunDecisions.onModelAnswer(
                state, Optional.of(plain(5)), calls(new TokenUsage(4, 2), add("c1")), 20, NOW));
    RunState withResult =
        apply(first, List.of(new RunEvent.ToolResultRecorded(1, "c1", "add", null, false, "x", NOW)));
    List<RunEvent> events =
        RunDecisions.onModelAnswer(
            withResult, Optional.of(plain(5)), calls(new TokenUsage(10, 5), add("c2")), 20, NOW);
    assertEquals(2, events.size(), events.toString());
    assertInstanceOf(RunEvent.ModelResponded.class, events.get(0));
    assertEquals(
        new RunEvent.RunFailed("token budget exceeded: used 21 of 20 tokens", null, NOW),
        events.get(1));
    RunState after = apply(withResult, events);
    assertEquals(RunStatus.failed, after.status());
    assertEquals(2, after.step(), "the response is kept");
    assertInstanceOf(RunDecisions.Next.Finish.class, RunDecisions.next(after), "no further call");
  }

  @Test
  void aCallBeyondTheBudgetIsNeverRequestedForApproval() {
    AgentDefinition agent = HitlAgents.agent("hitl");
    RunState state = started(agent);
    ToolCall send =
        new ToolCall("c1", "send", io.helix.json.Json.object().put("to", "a").put("body", "b"));
    List<RunEvent> events =
        RunDecisions.onModelAnswer(state, Optional.of(agent), calls(new TokenUsage(3, 3), send), 5, NOW);
    assertEquals(2, events.size(), events.toString());
    assertTrue(apply(state, events).held().isEmpty());
  }

  @Test
  void aFinalAnswerBeyondTheBudgetStillCompletesAndNoBudgetIsNoLimit() {
    RunState state = started(plain(5));
    List<RunEvent> events =
        RunDecisions.onModelAnswer(state, Optional.of(plain(5)), text(new TokenUsage(50, 50)), 10, NOW);
    assertEquals(RunStatus.completed, apply(state, events).status());
    List<RunEvent> unlimited =
        RunDecisions.onModelAnswer(
            state, Optional.of(plain(5)), calls(new TokenUsage(1_000_000, 1), add("c1")),
            RunLimits.UNLIMITED, NOW);
    assertEquals(RunStatus.running, apply(state, unlimited).status());
  }

  @Test
  void theBudgetIsTheAgentsOwnElseTheNodesDefault() {
    RunSettings settings =
        RunSettings.fromConfig(
            ConfigFactory.parseString("run.max-tokens = 1000")
                .withFallback(ConfigFactory.load().getConfig("helix")));
    AgentDefinition frugal =
        AgentDefinition.builder("frugal").systemPrompt("p").model("m:x").maxTokens(50).build();
    assertEquals(50, settings.tokenBudget(Optional.of(frugal)));
    assertEquals(1_000, settings.tokenBudget(Optional.of(TestAgents.adder("a", 5))));
    assertEquals(1_000, settings.tokenBudget(Optional.empty()));
    assertEquals(0, RunDecisionsTest.settings(3).tokenBudget(Optional.of(TestAgents.adder("a", 5))));
  }

  @Test
  void aRequestMayLowerItsAgentsBudgetNeverRaiseIt() {
    assertEquals(50, RunLimits.budget(100, 50), "lowered");
    assertEquals(100, RunLimits.budget(100, 500), "not raised");
    assertEquals(100, RunLimits.budget(100, 0), "none asked: the agent's");
    assertEquals(70, RunLimits.budget(0, 70), "no agent budget: the request's");
    assertEquals(0, RunLimits.budget(0, 0), "neither: no limit");
  }
}
