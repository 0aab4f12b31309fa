package io.helix.run;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.model.ModelCall;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelClient;
import io.helix.model.ModelEvent;
import io.helix.model.ModelException;
import io.helix.model.ModelRequest;
import io.helix.model.ModelResponse;
import io.helix.model.ScriptedModel;
import io.helix.stream.StreamChunk;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Retryable model failures are retried with backoff; the others fail the run at once. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelRetryTest {

  /** Fails its first {@code failures} calls after streaming a delta, then answers. */
  static final class Flaky implements ModelClient {
    final AtomicInteger calls = new AtomicInteger();
    final int failures;
    final boolean retryable;
    final ScriptedModel answer = new ScriptedModel(request -> ScriptedModel.answer("fine"));

    Flaky(int failures, boolean retryable) {
      this.failures = failures;
      this.retryable = retryable;
    }

    @Override
    public ModelCall stream(ModelRequest request, Consumer<ModelEvent> events) {
      if (calls.incrementAndGet() > failures) {
        return answer.stream(request, events);
      }
      events.accept(new ModelEvent.TextDelta("partial "));
      CompletableFuture<ModelResponse> failed =
          CompletableFuture.failedFuture(
              new ModelException("HTTP 503 overloaded", retryable, Duration.ofMillis(50), null));
      return new ModelCall() {
        public CompletionStage<ModelResponse> response() {
          return failed;
        }

        public void cancel() {}
      };
    }
  }

  private final Flaky twice = new Flaky(2, true);
  private final Flaky always = new Flaky(Integer.MAX_VALUE, true);
  private final Flaky fatal = new Flaky(Integer.MAX_VALUE, false);
  private final TestRuntime runtime =
      TestRuntime.start(
          new AgentRegistry()
              .register(TestAgents.adder("twice", 3).withModel("twice:x"))
              .register(TestAgents.adder("always", 3).withModel("always:x"))
              .register(TestAgents.adder("fatal", 3).withModel("fatal:x")),
          new ModelCatalog().register("twice", twice).register("always", always).register("fatal", fatal),
          "helix.run.model-retry { max-attempts = 4, min-backoff = 10ms, max-backoff = 50ms }");

  @AfterAll
  void stop() {
    runtime.close();
  }


  @Test
  void retriesHonourRetryAfterAndMarkStaleDeltas() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("twice", "hi"));
    RunResult result = await(handle.result());
    assertEquals(RunStatus.completed, result.status());
    assertEquals("fine", result.output().asText());
    assertEquals(3, twice.calls.get());
    List<String> types =
        await(handle.stream(0).runWith(Sink.seq(), runtime.testKit.system())).stream()
            .map(StreamChunk::type)
            .toList();
    assertEquals(
        List.of("run_start", "text_delta", "stream_resync", "text_delta", "stream_resync",
            "text_delta", "output", "run_end"),
        types,
        "each retry voids the deltas streamed before it");
  }

  @Test
  void aModelThatKeepsFailingFailsTheRunAfterTheAttempts() throws Exception {
    RunResult result = await(await(runtime.executor.execute("always", "hi")).result());
    assertEquals(RunStatus.failed, result.status());
    assertEquals(4, always.calls.get());
    assertTrue(result.error().startsWith("model call failed after 4 attempts: HTTP 503 overloaded"), result.error());
  }

  @Test
  void aFatalErrorIsNotRetried() throws Exception {
    RunResult result = await(await(runtime.executor.execute("fatal", "hi")).result());
    assertEquals(RunStatus.failed, result.status());
    assertEquals(1, fatal.calls.get());
    assertTrue(result.error().contains("after 1 attempt: HTTP 503"), result.error());
  }
}
