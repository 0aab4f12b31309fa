package io.helix.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.model.AssistantMessage;
import io.helix.model.ModelException;
import io.helix.model.ModelResponse;
import io.helix.model.TokenUsage;
import io.helix.model.ToolCall;
import io.helix.run.RunDecisions.AfterModelFailure;
import io.helix.run.RunDecisions.Next;
import io.helix.run.RunDecisions.ToolOutcome;
import io.helix.testkit.TestAgents;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The run's decisions, without an actor system: state and outcome in, events out. */
class RunDecisionsTest {

  static final long NOW = 1_000_000L;
  static final JsonNode SUM_SCHEMA =
      Json.parse(
          "{\"type\":\"object\",\"properties\":{\"sum\":{\"type\":\"integer\"}},"
              + "\"required\":[\"sum\"]}");
  static final TokenUsage USAGE = new TokenUsage(7, 3);

  static AgentDefinition plain(int maxSteps) {
    return TestAgents.adder("plain", maxSteps);
  }

  static AgentDefinition structured(int maxSteps) {
    return AgentDefinition.builder("structured")
        .systemPrompt("give a sum")
        .model("scripted:x")
        .tools(TestAgents.ADD)
        .outputSchema(SUM_SCHEMA)
        .maxSteps(maxSteps)
        .build();
  }

  static RunState started(AgentDefinition agent) {
    return RunState.EMPTY.apply(
        new RunEvent.RunStarted("run-1", agent.name(), "hi", "run-1", null, agent.initialState(), 1));
  }

  static RunState apply(RunState state, List<RunEvent> events) {
    RunState after = state;
    for (RunEvent event : events) {
      after = after.apply(event);
    }
    return after;
  }

  static ToolCall call(String id, String name, JsonNode arguments) {
    return new ToolCall(id, name, arguments);
  }

  static ToolCall add(String id) {
    return call(id, "add", Json.object().put("a", 2).put("b", 3));
  }

  static ModelResponse text(String content) {
    return new ModelResponse(new AssistantMessage(content, List.of(), null), "stop", USAGE);
  }

  static ModelResponse calls(ToolCall... calls) {
    return new ModelResponse(new AssistantMessage("", List.of(calls), null), "tool_calls", USAGE);
  }

  /** The state after the model answered with these calls at the state's next step. */
  static RunState asked(RunState state, ToolCall... calls) {
    return apply(state, RunDecisions.onModelAnswer(state, Optional.empty(), calls(calls), RunLimits.UNLIMITED, NOW));
  }

  static RunSettings settings(int maxAttempts) {
    return new RunSettings(
        Duration.ofSeconds(60), Duration.ofSeconds(120), maxAttempts, Duration.ofMillis(100),
        Duration.ofSeconds(1), 0.5, Duration.ofMillis(20), 32, Duration.ofSeconds(10), 100,
        Duration.ofSeconds(10), Duration.ofSeconds(30), 3, Duration.ofSeconds(3), 4, Duration.ZERO,
        RunLimits.UNLIMITED,
        new RunSettings.ChunkHandOff(Duration.ofMillis(500), Duration.ofSeconds(10), 10_000), 5);
  }

  @Nested
  class Starting {

    @Test
    void aRunWritesToItsOwnStreamUnlessGivenOne() {
      AgentDefinition agent = plain(5);
      var root = new RunCommand.Start("plain", "hi", null, null, null);
      RunEvent.RunStarted event = RunDecisions.started("run-1", root, agent, NOW);
      assertEquals(
          new RunEvent.RunStarted("run-1", "plain", "hi", "run-1", null, agent.initialState(), NOW),
          event);

      var child = new RunCommand.Start("plain", "hi", "parent", "parent-stream", null);
      RunEvent.RunStarted childEvent = RunDecisions.started("child-1", child, agent, NOW);
      assertEquals("parent-stream", childEvent.streamId());
      assertEquals("parent", childEvent.parentRunId());
    }

    @Test
    void theSameRunNeedsTheSameAgentTypeAndMessage() {
      RunState state = started(plain(5));
      assertTrue(RunDecisions.sameRun(state, new RunCommand.Start("plain", "hi", null, null, null)));
      assertFalse(RunDecisions.sameRun(state, new RunCommand.Start("plain", "ho", null, null, null)));
      assertFalse(RunDecisions.sameRun(state, new RunCommand.Start("other", "hi", null, null, null)));
    }
  }

  @Nested
  class WhatComesNext {

    @Test
    void aFreshRunAsksTheModelForStepOne() {
      assertEquals(new Next.AskModel(1), RunDecisions.next(started(plain(5))));
    }

    @Test
    void toolCallsWithoutAResultRunNext() {
      RunState state = asked(started(plain(5)), add("c1"), add("c2"));
      state = apply(state, RunDecisions.onToolOutcome(
          state, Optional.empty(), add("c1"), ToolOutcome.success(TextNode.valueOf("5"), null),
          null, NOW));
      assertEquals(new Next.RunTools(List.of(add("c2"))), RunDecisions.next(state));
    }

    @Test
    void whenEveryCallHasAResultTheModelIsAskedAgain() {
      RunState state = asked(started(plain(5)), add("c1"));
      state = apply(state, RunDecisions.onToolOutcome(
          state, Optional.empty(), add("c1"), ToolOutcome.failure("no", null), null, NOW));
      assertEquals(new Next.AskModel(2), RunDecisions.next(state));
    }

    @Test
    void anEndedRunFinishes() {
      RunState ended = started(plain(5)).apply(new RunEvent.RunCompleted(TextNode.valueOf("x"), NOW));
      assertEquals(new Next.Finish(), RunDecisions.next(ended));
    }

    @Test
    void aPendingCallIsOfTheStateStepAndWithoutAResult() {
      RunState state = asked(started(plain(5)), add("c1"), add("c2"));
      assertEquals(Optional.of(add("c1")), RunDecisions.pendingCall(state, 1, "c1"));
      assertEquals(Optional.empty(), RunDecisions.pendingCall(state, 2, "c1"), "another step");
      assertEquals(Optional.empty(), RunDecisions.pendingCall(state, 1, "c9"), "unknown call");
      state = apply(state, RunDecisions.onToolOutcome(
          state, Optional.empty(), add("c1"), ToolOutcome.failure("no", null), null, NOW));
      assertEquals(Optional.empty(), RunDecisions.pendingCall(state, 1, "c1"), "answered");
    }
  }

  @Nested
  class ModelAnswersWithoutAnOutputSchema {

    @Test
    void textCompletesTheRun() {
      RunState state = started(plain(5));
      List<RunEvent> events =
          RunDecisions.onModelAnswer(state, Optional.of(plain(5)), text("The sum is 5."), RunLimits.UNLIMITED, NOW);
      assertEquals(
          List.of(
              new RunEvent.ModelResponded(1, text("The sum is 5.").message(), "stop", USAGE, NOW),
              new RunEvent.RunCompleted(TextNode.valueOf("The sum is 5."), NOW)),
          events);
    }

    @Test
    void toolCallsLeaveTheStepOpenForTheTools() {
      RunState state = started(plain(5));
      List<RunEvent> events =
          RunDecisions.onModelAnswer(state, Optional.of(plain(5)), calls(add("c1")), RunLimits.UNLIMITED, NOW);
      assertEquals(1, events.size());
      assertInstanceOf(RunEvent.ModelResponded.class, events.get(0));
      assertEquals(new Next.RunTools(List.of(add("c1"))), RunDecisions.next(apply(state, events)));
    }

    @Test
    void anAgentNoLongerRegisteredHasNoSchemaAndNoStepLimit() {
      RunState state = started(plain(1));
      for (int i = 0; i < 3; i++) {
        state = asked(state, add("c" + i));
        state = apply(state, RunDecisions.onToolOutcome(
            state, Optional.empty(), add("c" + i), ToolOutcome.failure("x", null), null, NOW));
      }
      assertTrue(state.running());
      List<RunEvent> events = RunDecisions.onModelAnswer(state, Optional.empty(), text("ok"), RunLimits.UNLIMITED, NOW);
      assertEquals(new RunEvent.RunCompleted(TextNode.valueOf("ok"), NOW), events.get(1));
    }
  }

  @Nested
  class ModelAnswersWithAnOutputSchema {

    final AgentDefinition agent = structured(5);
    final RunState state = started(agent);

    List<RunEvent> answer(ModelResponse response) {
      return RunDecisions.onModelAnswer(state, Optional.of(agent), response, RunLimits.UNLIMITED, NOW);
    }

    @Test
    void aValidFinishCallCompletesWithItsArguments() {
      JsonNode output = Json.object().put("sum", 5);
      ToolCall finish = call("f1", AgentDefinition.FINISH_TOOL, output);
      List<RunEvent> events = answer(calls(finish));
      assertEquals(3, events.size());
      assertEquals(
          new RunEvent.ToolResultRecorded(1, "f1", "__finish__", output, true, null, NOW),
          events.get(1));
      assertEquals(new RunEvent.RunCompleted(output, NOW), events.get(2));
    }

    @Test
    void anInvalidFinishCallGetsAFailedResultAndTheModelTriesAgain() {
      ToolCall finish = call("f1", AgentDefinition.FINISH_TOOL, Json.object().put("total", 5));
      List<RunEvent> events = answer(calls(finish));
      assertEquals(2, events.size());
      RunEvent.ToolResultRecorded rejected = (RunEvent.ToolResultRecorded) events.get(1);
      assertFalse(rejected.success());
      assertNull(rejected.result());
      assertTrue(rejected.error().startsWith("the output does not match the schema: "));
      assertTrue(rejected.error().contains("sum"), rejected.error());
      assertEquals(new Next.AskModel(2), RunDecisions.next(apply(state, events)));
    }

    @Test
    void anInvalidFinishCallBesideOtherCallsLeavesThemToRun() {
      ToolCall finish = call("f1", AgentDefinition.FINISH_TOOL, Json.object());
      List<RunEvent> events = answer(calls(add("c1"), finish));
      assertEquals(new Next.RunTools(List.of(add("c1"))), RunDecisions.next(apply(state, events)));
    }

    @Test
    void otherToolCallsJustRun() {
      List<RunEvent> events = answer(calls(add("c1")));
      assertEquals(1, events.size());
      assertEquals(new Next.RunTools(List.of(add("c1"))), RunDecisions.next(apply(state, events)));
    }

    @Test
    void textThatIsValidJsonForTheSchemaCompletes() {
      List<RunEvent> events = answer(text("{\"sum\": 5}"));
      assertEquals(new RunEvent.RunCompleted(Json.object().put("sum", 5), NOW), events.get(1));
    }

    @Test
    void textThatIsNotJsonGetsTheReminder() {
      List<RunEvent> events = answer(text("five"));
      assertEquals(new RunEvent.OutputRequested(1, RunDecisions.OUTPUT_REMINDER, NOW), events.get(1));
      assertTrue(RunDecisions.OUTPUT_REMINDER.contains("__finish__"));
      assertEquals(new Next.AskModel(2), RunDecisions.next(apply(state, events)));
    }

    @Test
    void jsonTextThatDoesNotMatchTheSchemaGetsTheReminder() {
      List<RunEvent> events = answer(text("{\"total\": 5}"));
      assertInstanceOf(RunEvent.OutputRequested.class, events.get(1));
    }
  }

  @Nested
  class MaxSteps {

    @Test
    void anAnswerThatWouldNeedAModelCallBeyondMaxStepsFailsTheRun() {
      AgentDefinition agent = structured(1);
      List<RunEvent> events =
          RunDecisions.onModelAnswer(started(agent), Optional.of(agent), text("five"), RunLimits.UNLIMITED, NOW);
      assertEquals(3, events.size());
      assertInstanceOf(RunEvent.OutputRequested.class, events.get(1));
      assertEquals(
          new RunEvent.RunFailed("reached maxSteps (1) without a final answer", null, NOW),
          events.get(2));
    }

    @Test
    void toolCallsOfTheLastStepStillRunAndTheirLastResultFailsTheRun() {
      AgentDefinition agent = plain(1);
      RunState state = started(agent);
      List<RunEvent> answered =
          RunDecisions.onModelAnswer(state, Optional.of(agent), calls(add("c1"), add("c2")), RunLimits.UNLIMITED, NOW);
      assertEquals(1, answered.size(), "no failure while calls are pending");
      state = apply(state, answered);

      List<RunEvent> first = RunDecisions.onToolOutcome(
          state, Optional.of(agent), add("c1"), ToolOutcome.failure("x", null), null, NOW);
      assertEquals(1, first.size(), "c2 is still pending");
      state = apply(state, first);

      List<RunEvent> last = RunDecisions.onToolOutcome(
          state, Optional.of(agent), add("c2"), ToolOutcome.failure("x", null), null, NOW);
      assertEquals(2, last.size());
      assertTrue(((RunEvent.RunFailed) last.get(1)).error().contains("maxSteps (1)"));
      assertEquals(new Next.Finish(), RunDecisions.next(apply(state, last)));
    }

    @Test
    void aFinalAnswerAtTheLastStepCompletes() {
      AgentDefinition agent = plain(1);
      List<RunEvent> events =
          RunDecisions.onModelAnswer(started(agent), Optional.of(agent), text("done"), RunLimits.UNLIMITED, NOW);
      assertEquals(2, events.size());
      assertInstanceOf(RunEvent.RunCompleted.class, events.get(1));
    }
  }

  @Nested
  class ToolOutcomes {

    final RunState state = asked(started(plain(5)), add("c1"));

    List<RunEvent> outcome(ToolOutcome outcome, JsonNode stateAtStart) {
      return RunDecisions.onToolOutcome(
          state, Optional.of(plain(5)), add("c1"), outcome, stateAtStart, NOW);
    }

    @Test
    void aResultIsRecorded() {
      JsonNode sum = Json.object().put("sum", 5);
      assertEquals(
          List.of(new RunEvent.ToolResultRecorded(1, "c1", "add", sum, true, null, NOW)),
          outcome(ToolOutcome.success(sum, Json.object()), Json.object()));
    }

    @Test
    void anErrorIsRecorded() {
      assertEquals(
          List.of(new RunEvent.ToolResultRecorded(1, "c1", "add", null, false, "boom", NOW)),
          outcome(ToolOutcome.failure("boom", null), null));
    }

    @Test
    void theCallsOwnChangesToTheStateArePersistedAsAPatchBeforeItsResult() {
      JsonNode atStart = Json.object().put("a", 1);
      JsonNode after = Json.object().put("a", 1).put("b", 2);
      List<RunEvent> events = outcome(ToolOutcome.success(TextNode.valueOf("ok"), after), atStart);
      assertEquals(2, events.size());
      assertEquals(
          new RunEvent.StateUpdated(
              1, "c1", Json.parse("[{\"op\":\"add\",\"path\":\"/b\",\"value\":2}]"), NOW),
          events.get(0));
      assertInstanceOf(RunEvent.ToolResultRecorded.class, events.get(1));
    }

    @Test
    void aChangeThatConflictsWithAnotherCallsBecomesAToolErrorNotACrash() {
      // two calls of one response: c1 started with {"a":{"x":1}} and adds /a/y, but c2, which
      // ended first, removed "a" -- applying c1's patch would throw in the event handler
      AgentDefinition agent = plain(5);
      RunState twoCalls = asked(started(agent), add("c1"), add("c2"));
      JsonNode atStart = Json.parse("{\"notes\":0,\"a\":{\"x\":1}}");
      twoCalls = twoCalls.apply(new RunEvent.StateUpdated(1, "seed", Json.parse(
          "[{\"op\":\"add\",\"path\":\"/a\",\"value\":{\"x\":1}}]"), NOW));
      twoCalls = apply(twoCalls, RunDecisions.onToolOutcome(
          twoCalls, Optional.of(agent), add("c2"),
          ToolOutcome.success(TextNode.valueOf("ok"), Json.parse("{\"notes\":0}")), atStart, NOW));
      List<RunEvent> events =
          RunDecisions.onToolOutcome(
              twoCalls, Optional.of(agent), add("c1"),
              ToolOutcome.success(TextNode.valueOf("ok"),
                  Json.parse("{\"notes\":0,\"a\":{\"x\":1,\"y\":2}}")),
              atStart, NOW);
      assertEquals(1, events.size(), "no state patch: " + events);
      RunEvent.ToolResultRecorded recorded = (RunEvent.ToolResultRecorded) events.get(0);
      assertFalse(recorded.success());
      assertTrue(recorded.error().contains("conflicts with a change of a tool call"), recorded.error());
      RunState after = apply(twoCalls, events); // the event handler folds it without throwing
      assertEquals(new Next.AskModel(2), RunDecisions.next(after));
    }

    @Test
    void noPatchWithoutAChangeOrWithoutBothStates() {
      JsonNode same = Json.object().put("a", 1);
      assertEquals(1, outcome(ToolOutcome.success(TextNode.valueOf("ok"), same), same).size());
      assertEquals(1, outcome(ToolOutcome.success(TextNode.valueOf("ok"), null), same).size());
      assertEquals(1, outcome(ToolOutcome.success(TextNode.valueOf("ok"), same), null).size());
    }
  }

  @Nested
  class ModelFailures {

    final RunSettings settings = settings(3);

    @Test
    void aRetryableFailureIsRetriedAfterTheProvidersRetryAfter() {
      var error = new ModelException("HTTP 429", true, Duration.ofMillis(50), null);
      assertEquals(
          new AfterModelFailure.Retry(2, Duration.ofMillis(50), "HTTP 429"),
          RunDecisions.afterModelFailure(error, 1, settings, 0.0, NOW));
    }

    @Test
    void withoutRetryAfterTheBackoffGrowsWithJitter() {
      var error = ModelException.retryable("HTTP 503");
      var retry =
          (AfterModelFailure.Retry) RunDecisions.afterModelFailure(error, 2, settings, 0.0, NOW);
      assertEquals(3, retry.attempt());
      assertEquals(Duration.ofMillis(200), retry.delay(), "min-backoff doubled for attempt 3");
      var jittered =
          (AfterModelFailure.Retry) RunDecisions.afterModelFailure(error, 2, settings, 1.0, NOW);
      assertEquals(Duration.ofMillis(300), jittered.delay(), "plus up to random-factor of it");
    }

    @Test
    void anUnclassifiedFailureIsTakenForANetworkErrorAndRetried() {
      AfterModelFailure after =
          RunDecisions.afterModelFailure(new IOException("reset"), 1, settings, 0.0, NOW);
      assertEquals("java.io.IOException: reset", ((AfterModelFailure.Retry) after).error());
    }

    @Test
    void theLastAttemptGivesUp() {
      AfterModelFailure after =
          RunDecisions.afterModelFailure(ModelException.retryable("HTTP 503"), 3, settings, 0, NOW);
      assertEquals(
          new RunEvent.RunFailed("model call failed after 3 attempts: HTTP 503", null, NOW),
          ((AfterModelFailure.GiveUp) after).failed());
    }

    @Test
    void aFatalFailureGivesUpAtOnce() {
      AfterModelFailure after =
          RunDecisions.afterModelFailure(ModelException.fatal("HTTP 401"), 1, settings, 0, NOW);
      assertEquals(
          "model call failed after 1 attempt: HTTP 401",
          ((AfterModelFailure.GiveUp) after).failed().error());
    }
  }

  @Nested
  class SubAgentCalls {

    final RunResult child =
        new RunResult(
            "child-1", "helper", RunStatus.completed, Json.object().put("sum", 5), null, false,
            null, 2, USAGE, Json.object(), "run-1", "run-1");

    @Test
    void aSubAgentCallNeedsAMessage() {
      assertEquals(Optional.empty(), RunDecisions.subAgentMessage(call("s1", "subagent__h", null)));
      assertEquals(
          Optional.empty(), RunDecisions.subAgentMessage(call("s1", "subagent__h", Json.object())));
      assertEquals(
          Optional.of("add"),
          RunDecisions.subAgentMessage(
              call("s1", "subagent__h", Json.object().put("message", "add"))));
    }

    @Test
    void aChildStartedOrStartedBeforeWithTheSameTaskCountsAsStarted() {
      assertEquals(
          Optional.empty(), RunDecisions.subAgentNotStarted(new StartReply.Started(child), null));
      assertEquals(
          Optional.empty(),
          RunDecisions.subAgentNotStarted(new StartReply.AlreadyExists(child, true), null));
    }

    @Test
    void otherwiseTheCallFailsWithTheReason() {
      assertTrue(
          RunDecisions.subAgentNotStarted(new StartReply.AlreadyExists(child, false), null)
              .orElseThrow()
              .startsWith("the sub-agent did not start: AlreadyExists["));
      assertEquals(
          Optional.of("the sub-agent did not start: Rejected[reason=unknown agent type 'x']"),
          RunDecisions.subAgentNotStarted(new StartReply.Rejected("unknown agent type 'x'"), null));
      assertEquals(
          Optional.of("the sub-agent did not start: ask timed out"),
          RunDecisions.subAgentNotStarted(null, new IllegalStateException("ask timed out")));
    }

    @Test
    void anUnansweredStartIsTriedAgainThenGivenUpWithTheChildAborted() {
      Throwable timeout = new IllegalStateException("ask timed out");
      assertEquals(
          Optional.of(new RunDecisions.AfterSubAgentStart.TryAgain(2)),
          RunDecisions.afterSubAgentStart(null, timeout, 1, 3));
      assertEquals(
          Optional.of(new RunDecisions.AfterSubAgentStart.TryAgain(3)),
          RunDecisions.afterSubAgentStart(null, timeout, 2, 3));
      assertEquals(
          Optional.of(
              new RunDecisions.AfterSubAgentStart.GiveUp(
                  "the sub-agent did not start: ask timed out (3 attempts)", true)),
          RunDecisions.afterSubAgentStart(null, timeout, 3, 3));
      // a refusal is an answer: not tried again, nothing to abort
      assertEquals(
          Optional.of(
              new RunDecisions.AfterSubAgentStart.GiveUp(
                  "the sub-agent did not start: Rejected[reason=no]", false)),
          RunDecisions.afterSubAgentStart(new StartReply.Rejected("no"), null, 1, 3));
      assertEquals(
          Optional.empty(), RunDecisions.afterSubAgentStart(new StartReply.Started(child), null, 2, 3));
    }

    @Test
    void theChildRunIsRecordedUnderTheIdDerivedFromTheCall() {
      ToolCall call = call("s1", "subagent__helper", Json.object().put("message", "add"));
      assertEquals(
          new RunEvent.SubAgentStarted(
              1, "s1", RunEntity.childRunId("run-1", 1, "s1"), "helper", NOW),
          RunDecisions.subAgentStarted("run-1", 1, call, NOW));
    }

    @Test
    void aCompletedChildsOutputIsTheCallsResultAFailedChildsErrorItsError() {
      assertEquals(
          ToolOutcome.success(child.output(), null), RunDecisions.subAgentEnded(child));
      RunResult failed =
          new RunResult(
              "child-1", "helper", RunStatus.failed, null, "boom", false, null, 1, USAGE,
              Json.object(), "run-1", "run-1");
      assertEquals(
          ToolOutcome.failure("the sub-agent failed: boom", null),
          RunDecisions.subAgentEnded(failed));
    }
  }

  @Nested
  class TheEnd {

    final AssistantMessage cut = new AssistantMessage("half an ans", List.of(), null);

    @Test
    void anAbortKeepsItsReasonOrSaysAborted() {
      assertEquals(
          new RunEvent.RunAborted("user cancelled", cut, NOW),
          RunDecisions.aborted("user cancelled", cut, NOW));
      assertEquals("aborted", RunDecisions.aborted(null, null, NOW).reason());
      assertEquals("aborted", RunDecisions.aborted("  ", null, NOW).reason());
    }

    @Test
    void theDeadlineCountsFromTheRunsCreation() {
      AgentDefinition hasty =
          AgentDefinition.builder("hasty").systemPrompt("p").model("m:x")
              .deadline(Duration.ofSeconds(2)).build();
      RunState state = started(hasty); // created at 1
      assertEquals(
          Optional.of(Duration.ofMillis(1_501)),
          RunLimits.untilDeadline(state, Optional.of(hasty), 500));
      assertEquals(
          Optional.of(Duration.ZERO), RunLimits.untilDeadline(state, Optional.of(hasty), NOW));
      assertEquals(
          Optional.empty(), RunLimits.untilDeadline(state, Optional.of(plain(5)), 500));
      assertEquals(Optional.empty(), RunLimits.untilDeadline(state, Optional.empty(), 500));
      assertEquals(
          new RunEvent.RunFailed("run deadline of PT2S exceeded", cut, NOW),
          RunLimits.deadlineExceeded(Optional.of(hasty), cut, NOW));
    }

    @Test
    void theWorkOfAnEndedRunIsCancelledWithTheReason() {
      RunState state = started(plain(5));
      assertEquals(
          "run ended",
          RunDecisions.endReason(state.apply(new RunEvent.RunFailed("x", null, NOW))));
      assertEquals(
          "aborted: stop",
          RunDecisions.endReason(state.apply(new RunEvent.RunAborted("stop", null, NOW))));
    }
  }
}
