package io.helix.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.AgentRegistry;
import io.helix.agent.RunStatus;
import io.helix.model.ModelCall;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelClient;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ModelResponse;
import io.helix.model.ScriptedModel;
import io.helix.model.ToolResultMessage;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The run entity restarted from its journal: state rebuilt, resumed at the first missing step. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunEntityRecoveryTest {

  /** Answers step 1 at once; step 2 waits until {@link #release} (counting each request). */
  static final class GatedModel implements ModelClient {
    final ScriptedModel scripted = new ScriptedModel(TestAgents::addThenAnswer);
    final AtomicInteger stepTwoRequests = new AtomicInteger();
    volatile boolean released;

    @Override
    public ModelCall stream(ModelRequest request, Consumer<ModelEvent> events) {
      if (request.step() == 2 && !released) {
        stepTwoRequests.incrementAndGet();
        CompletableFuture<ModelResponse> never = new CompletableFuture<>();
        return new ModelCall() {
          public CompletionStage<ModelResponse> response() {
            return never;
          }

          public void cancel() {
            never.cancel(false);
          }
        };
      }
      return scripted.stream(request, events);
    }

    void release() {
      released = true;
    }
  }

  private final GatedModel model = new GatedModel();
  private final AgentRegistry agents = new AgentRegistry().register(TestAgents.adder("adder", 5));
  private final TestRuntime runtime =
      TestRuntime.start(agents, new ModelCatalog().register("scripted", model));

  @AfterAll
  void stop() {
    runtime.close();
  }

  private EventSourcedBehaviorTestKit<RunCommand, RunEvent, RunState> entity(String runId) {
    var system = runtime.testKit.system();
    RunEnvironment environment =
        new RunEnvironment(
            agents,
            new ModelCatalog().register("scripted", model),
            RunSettings.fromConfig(system.settings().config().getConfig("helix")),
            ClusterSharding.get(system),
            Executors.newCachedThreadPool());
    TestProbe<org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.ShardCommand> shard =
        runtime.testKit.createTestProbe();
    return EventSourcedBehaviorTestKit.create(
        system, RunEntity.create(runId, shard.getRef(), environment));
  }

  @Test
  void restartRebuildsTheStateAndResumesWithoutRequestingAPersistedResponseAgain() {
    var kit = entity("recover-1");
    var started =
        kit.<StartReply>runCommand(
            replyTo -> new RunCommand.Start("adder", "add 2 and 3", null, null, replyTo));
    assertInstanceOf(StartReply.Started.class, started.reply());

    TestRuntime.awaitCondition(() -> model.stepTwoRequests.get() == 1, Duration.ofSeconds(10));
    RunState before = kit.getState();
    assertEquals(1, before.step());
    assertEquals(3, before.messages().size(), "user, assistant with a tool call, tool result");
    assertInstanceOf(ToolResultMessage.class, before.messages().get(2));

    model.release();
    RunState recovered = kit.restart().state();

    assertEquals(before, recovered, "the journal rebuilds the same state");
    TestRuntime.awaitCondition(() -> kit.getState().terminal(), Duration.ofSeconds(10));
    RunState done = kit.getState();
    assertEquals(RunStatus.completed, done.status());
    assertEquals("The sum is 5.", done.output().asText());
    assertEquals(1, model.scripted.requests("recover-1", 1), "step 1 was persisted: never again");
    assertEquals(1, model.scripted.requests("recover-1", 2), "step 2 requested after the restart");
    assertTrue(kit.restart().state().terminal(), "a finished run recovers finished");
  }
}
