package io.helix.run;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
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
import io.helix.stream.StreamChunk;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StructuredOutputAndStateTest {

  record Summary(@JsonProperty(required = true) String title, @JsonProperty(required = true) int points) {}

  record Counter(@JsonProperty(required = true) String name) {}

  record Nothing() {}

  private final Set<String> idempotencyKeys = ConcurrentHashMap.newKeySet();
  private final CountDownLatch bothRunning = new CountDownLatch(2);

  private final Tool count =
      Tool.of(
          "count",
          "increments a counter in the state",
          Counter.class,
          (input, ctx) -> {
            idempotencyKeys.add(ctx.idempotencyKey());
            ctx.updateState(
                state -> state.put(input.name(), state.path(input.name()).asInt(0) + 1));
            ctx.emit("counted", Json.object().put("name", input.name()));
            return CompletableFuture.completedFuture(ctx.getState());
          });

  /** Completes only when a second call runs at the same time. */
  private final Tool rendezvous =
      Tool.blocking(
          "rendezvous",
          "waits for a partner",
          Nothing.class,
          (input, ctx) -> {
            bothRunning.countDown();
            try {
              return bothRunning.await(5, TimeUnit.SECONDS) ? "met" : "alone";
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          });

  private final AgentRegistry agents =
      new AgentRegistry()
          .register(
              AgentDefinition.builder("summarizer")
                  .systemPrompt("summarize")
                  .model("scripted:x")
                  .outputType(Summary.class)
                  .build())
          .register(
              AgentDefinition.builder("counter")
                  .systemPrompt("count")
                  .model("scripted:x")
                  .tools(count, rendezvous)
                  .initialState(Json.object().put("a", 10))
                  .build())
          .register(
              AgentDefinition.builder("late")
                  .systemPrompt("late")
                  .model("slow:x")
                  .deadline(Duration.ofMillis(300))
                  .build());

  private final ScriptedModel slow =
      new ScriptedModel(
          request -> List.of(ScriptedModel.text("a"), ScriptedModel.text("b"), ScriptedModel.text("c")),
          Duration.ofSeconds(2));
  private final TestRuntime runtime =
      TestRuntime.start(
          agents,
          new ModelCatalog().register("scripted", new ScriptedModel(this::script)).register("slow", slow));

  private List<ModelEvent> script(ModelRequest request) {
    int step = request.step();
    switch (request.systemPrompt()) {
      case "summarize":
        if (step == 1) {
          return List.of(
              ScriptedModel.toolCall("f1", "__finish__", Json.object().put("title", "x")),
              ScriptedModel.finish("tool_calls", 1, 1));
        }
        if (step == 2) {
          return ScriptedModel.answer("not json");
        }
        return List.of(
            ScriptedModel.toolCall(
                "f2", "__finish__", Json.object().put("title", "Pekko").put("points", 3)),
            ScriptedModel.finish("tool_calls", 1, 1));
      case "count":
        if (step == 1) {
          return List.of(
              ScriptedModel.toolCall("c1", "count", Json.object().put("name", "a")),
              ScriptedModel.toolCall("c2", "count", Json.object().put("name", "b")),
              ScriptedModel.finish("tool_calls", 1, 1));
        }
        if (step == 2) {
          return List.of(
              ScriptedModel.toolCall("r1", "rendezvous", Json.object()),
              ScriptedModel.toolCall("r2", "rendezvous", Json.object()),
              ScriptedModel.finish("tool_calls", 1, 1));
        }
        return ScriptedModel.answer("done");
      default:
        throw new IllegalStateException(request.systemPrompt());
    }
  }

  @AfterAll
  void stop() {
    runtime.close();
  }


  private List<StreamChunk> chunks(AgentHandle handle) throws Exception {
    return await(handle.stream(0).runWith(Sink.seq(), runtime.testKit.system()));
  }

  @Test
  void invalidStructuredOutputGoesBackToTheModelUntilValid() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("summarizer", "summarize", "sum-out"));
    RunResult result = await(handle.result());
    assertEquals(RunStatus.completed, result.status());
    assertEquals(Json.parse("{\"title\":\"Pekko\",\"points\":3}"), result.output());
    assertEquals(3, result.steps(), "invalid call, then text, then valid call");
    StreamChunk rejected =
        chunks(handle).stream().filter(c -> c.type().equals("tool_end")).findFirst().orElseThrow();
    assertFalse(rejected.toJson().get("success").asBoolean());
    assertTrue(rejected.toJson().get("error").asText().contains("points"), rejected.toJson().toString());
  }

  @Test
  void toolsUpdateTheCustomStateAsPersistedPatches() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("counter", "count", "state-1"));
    RunResult result = await(handle.result());
    assertEquals(RunStatus.completed, result.status());
    assertEquals(Json.parse("{\"a\":11,\"b\":1}"), result.state());
    assertEquals(Set.of("state-1/1/c1", "state-1/1/c2"), idempotencyKeys);

    List<StreamChunk> chunks = chunks(handle);
    List<JsonNode> patches =
        chunks.stream().filter(c -> c.type().equals("state_patch")).map(c -> c.toJson().get("patch")).toList();
    assertEquals(2, patches.size());
    assertTrue(patches.contains(Json.parse("[{\"op\":\"replace\",\"path\":\"/a\",\"value\":11}]")));
    assertTrue(patches.contains(Json.parse("[{\"op\":\"add\",\"path\":\"/b\",\"value\":1}]")));
    assertEquals(2, chunks.stream().filter(c -> c.type().equals("custom")).count());

    List<StreamChunk> rendezvous =
        chunks.stream()
            .filter(c -> c.type().equals("tool_end") && c.toJson().get("toolName").asText().equals("rendezvous"))
            .toList();
    assertEquals(2, rendezvous.size());
    rendezvous.forEach(c -> assertEquals("met", c.toJson().get("result").asText(), "tool calls of one response run concurrently"));
  }

  @Test
  void aRunPastItsDeadlineFailsAndItsModelCallIsCancelled() throws Exception {
    RunResult result = await(await(runtime.executor.execute("late", "hurry", "late-1")).result());
    assertEquals(RunStatus.failed, result.status());
    assertTrue(result.error().contains("deadline"), result.error());
    assertEquals(1, slow.cancelledCalls());
  }
}
