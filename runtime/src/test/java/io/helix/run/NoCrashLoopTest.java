package io.helix.run;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.agent.Tool;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.model.ToolResultMessage;
import io.helix.testkit.TestRuntime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Failures that used to stop a run's entity (and, remembered, restart it into the same failure for
 * ever) end as something the model or the caller can act on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NoCrashLoopTest {

  record Nothing() {}

  /** Completed by the test once clear's result is persisted (its tool_end is on the stream). */
  private final CompletableFuture<Void> clearRecorded = new CompletableFuture<>();

  /** Removes "box" from the state. */
  private final Tool clear =
      Tool.of("clear", "empties the box", Nothing.class, (input, ctx) -> {
        ctx.updateState(state -> state.remove("box"));
        return CompletableFuture.completedFuture("cleared");
      });

  /** Adds to "box" as it was when the call started, and ends after clear has. */
  private final Tool fill =
      Tool.of("fill", "fills the box", Nothing.class, (input, ctx) -> {
        ctx.updateState(state -> state.with("box").put("item", "apple"));
        return clearRecorded.thenApply(done -> "filled");
      });

  /** A tool that breaks its contract: its schema fails once the model has seen it. */
  private final Tool brokenAfterListing =
      new Tool() {
        private final java.util.concurrent.atomic.AtomicInteger schemaReads =
            new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public String name() {
          return "fragile";
        }

        @Override
        public String description() {
          return "breaks";
        }

        @Override
        public com.fasterxml.jackson.databind.JsonNode inputSchema() {
          if (schemaReads.incrementAndGet() > 1) {
            throw new IllegalStateException("schema store unavailable");
          }
          return Json.parse("{\"type\":\"object\"}");
        }

        @Override
        public java.util.concurrent.CompletionStage<Object> execute(
            com.fasterxml.jackson.databind.JsonNode input, io.helix.agent.ToolContext context) {
          return CompletableFuture.completedFuture("never");
        }
      };

  private final ScriptedModel model =
      new ScriptedModel(
          request ->
              request.runId().startsWith("fragile")
                  ? List.of(
                      ScriptedModel.toolCall("f-1", "fragile", Json.object()),
                      ScriptedModel.finish("tool_calls", 1, 1))
                  : request.step() == 1
                  ? List.of(
                      ScriptedModel.toolCall("fill-1", "fill", Json.object()),
                      ScriptedModel.toolCall("clear-1", "clear", Json.object()),
                      ScriptedModel.finish("tool_calls", 1, 1))
                  : ScriptedModel.answer(describe(request)));

  private static String describe(ModelRequest request) {
    StringBuilder out = new StringBuilder();
    request.messages().stream()
        .filter(m -> m instanceof ToolResultMessage)
        .map(m -> (ToolResultMessage) m)
        .forEach(r -> out.append(r.toolName()).append(r.success() ? ":ok " : ":error "));
    return out.toString().trim();
  }

  private final TestRuntime runtime =
      TestRuntime.start(
          new AgentRegistry()
              .register(
                  AgentDefinition.builder("boxes")
                      .systemPrompt("p")
                      .model("scripted:x")
                      .tools(clear, fill)
                      .initialState(Json.object().set("box", Json.object().put("size", 1)))
                      .build())
              .register(
                  AgentDefinition.builder("fragile")
                      .systemPrompt("p")
                      .model("scripted:x")
                      .tools(brokenAfterListing)
                      .build()),
          new ModelCatalog().register("scripted", model));

  @AfterAll
  void stop() {
    runtime.close();
  }

  @Test
  void conflictingStateChangesOfParallelCallsAreAToolErrorAndTheRunCompletes() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("boxes", "fill and clear", "conflict-1"));
    handle
        .stream(0)
        .filter(c -> c.type().equals("tool_end") && c.data().path("toolName").asText().equals("clear"))
        .take(1)
        .runForeach(c -> clearRecorded.complete(null), runtime.testKit.system());
    RunResult result = await(handle.result());
    assertEquals(RunStatus.completed, result.status(), String.valueOf(result.error()));
    // clear's change won; fill's change, made to a box that no longer was, became its error
    assertEquals("clear:ok fill:error", result.output().asText());
    assertTrue(clearRecorded.isDone());
    assertFalse(result.state().has("box"), result.state().toString());
    assertTrue(model.requests("conflict-1", 2) == 1, "step 2 asked once");
  }

  @Test
  void anUnexpectedFailureAfterAPersistedStepFailsTheRunWithTheReason() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("fragile", "go", "fragile-1"));
    RunResult result = await(handle.result());
    assertEquals(RunStatus.failed, result.status());
    assertTrue(
        result.error().startsWith("internal error at step 1: schema store unavailable"),
        result.error());
    assertEquals(1, model.requests("fragile-1", 1));
  }
}
