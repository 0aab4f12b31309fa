package io.helix.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.helix.json.Json;
import io.helix.model.ToolCall;
import io.helix.run.RunDecisions.ToolOutcome;
import io.helix.agent.Tool;
import io.helix.testkit.TestAgents;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** How a tool call is invoked and how its end becomes an outcome, without an actor system. */
class ToolRunnerTest {

  final ToolCallContext context =
      new ToolCallContext(
          "run-1", "adder", 1, "c1", Runnable::run, null,
          Json.object().put("a", 1));

  static ToolCall add(JsonNode arguments) {
    return new ToolCall("c1", "add", arguments);
  }

  static String failure(CompletableFuture<Object> future) {
    ExecutionException failed =
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, future::get);
    return failed.getCause().getMessage();
  }

  @Test
  void anUnknownToolFails() {
    assertEquals(
        "unknown tool 'add'",
        failure(ToolRunner.invoke(Optional.empty(), add(Json.object()), context)));
  }

  @Test
  void argumentsThatDoNotFitTheSchemaFail() {
    String why =
        failure(
            ToolRunner.invoke(
                Optional.of(TestAgents.ADD), add(Json.object().put("a", "two")), context));
    assertTrue(why.startsWith("invalid arguments for 'add': ["), why);
  }

  @Test
  void aToolThatThrowsFailsItsCall() {
    Tool throwing =
        Tool.of("add", "throws", TestAgents.AddInput.class, (input, ctx) -> {
          throw new IllegalStateException("bug");
        });
    JsonNode arguments = Json.object().put("a", 1).put("b", 2);
    assertEquals("bug", failure(ToolRunner.invoke(Optional.of(throwing), add(arguments), context)));
  }

  @Test
  void aValidCallRunsTheTool() throws Exception {
    Object result =
        ToolRunner.invoke(
                Optional.of(TestAgents.ADD), add(Json.object().put("a", 2).put("b", 3)), context)
            .get();
    assertEquals(Json.object().put("sum", 5), result);
  }

  @Test
  void aResultBecomesJsonWithTheStateTheCallLeft() {
    context.updateState(state -> state.put("b", 2));
    ToolOutcome outcome = ToolRunner.outcome(new TestAgents.AddInput(1, 2), null, context, 100);
    assertEquals(Json.parse("{\"a\":1,\"b\":2}"), outcome.result(), "the tool's input as JSON");
    assertEquals(Json.parse("{\"a\":1,\"b\":2}"), outcome.stateAfter(), "with the call's change");
    assertEquals(NullNode.getInstance(), ToolRunner.outcome(null, null, context, 100).result());
    assertFalse(context.isCancelled());
  }

  @Test
  void aResultThatIsNoJsonFailsTheCall() {
    ToolOutcome outcome = ToolRunner.outcome(new Object(), null, context, 100);
    assertTrue(outcome.error().startsWith("tool result is not JSON: "), outcome.error());
  }

  @Test
  void aTimeoutFailsTheCallAndCancelsIt() {
    ToolOutcome outcome =
        ToolRunner.outcome(null, new CompletionException(new TimeoutException()), context, 100);
    assertEquals(ToolOutcome.failure("tool timed out after 100 ms", context.stateAfter()), outcome);
    assertEquals(
        "tool timed out after 100 ms", context.cancellation().toCompletableFuture().join());
  }

  @Test
  void aFailureIsDescribedAndCancelsTheCall() {
    ToolOutcome outcome =
        ToolRunner.outcome(
            null, new CompletionException(new IllegalStateException("boom")), context, 100);
    assertEquals("boom", outcome.error());
    assertTrue(context.isCancelled());
    ToolOutcome nameless = ToolRunner.outcome(null, new IllegalStateException(), context, 100);
    assertEquals("IllegalStateException", nameless.error());
  }
}
