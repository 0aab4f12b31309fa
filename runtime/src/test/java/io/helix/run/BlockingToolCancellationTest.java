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
import io.helix.model.ScriptedModel;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Blocking tools stop when their call is cancelled: a running one is interrupted (on abort and on
 * its timeout), and one still waiting for a thread of the blocking dispatcher never starts, so one
 * idempotency key never executes after its run has let go of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BlockingToolCancellationTest {

  record Nothing() {}

  private final Set<String> started = ConcurrentHashMap.newKeySet();
  private final Set<String> interrupted = ConcurrentHashMap.newKeySet();
  private final CountDownLatch release = new CountDownLatch(1);

  /** Sleeps up to a minute; notes when it starts and when it is interrupted. */
  private final Tool sleeper =
      Tool.blocking("sleeper", "sleeps", Nothing.class, (input, ctx) -> {
        started.add(ctx.runId());
        try {
          Thread.sleep(60_000);
          return "woke";
        } catch (InterruptedException e) {
          interrupted.add(ctx.runId());
          return "interrupted";
        }
      });

  /** Holds the dispatcher's one thread until released, interrupted (its timeout) or not. */
  private final Tool holder =
      Tool.blocking("holder", "holds", Nothing.class, (input, ctx) -> {
        started.add(ctx.runId());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
          try {
            if (release.await(end - System.nanoTime(), TimeUnit.NANOSECONDS)) {
              return "released";
            }
          } catch (InterruptedException e) {
            // a stubborn tool: it keeps the thread until released
          }
        }
        return "timed out";
      });

  private final TestRuntime runtime =
      TestRuntime.start(
          new AgentRegistry()
              .register(agent("sleepy", sleeper))
              .register(agent("holding", holder))
              .register(agent("marking", sleeper)),
          new ModelCatalog()
              .register(
                  "scripted",
                  new ScriptedModel(
                      request ->
                          request.step() == 1
                              ? List.of(
                                  ScriptedModel.toolCall(
                                      "t1",
                                      request.runId().startsWith("hold") ? "holder" : "sleeper",
                                      Json.object()),
                                  ScriptedModel.finish("tool_calls", 1, 1))
                              : ScriptedModel.answer("done"))),
          """
          helix.run.tool-timeout = 1s
          helix.blocking-tool-dispatcher.thread-pool-executor.fixed-pool-size = 1
          """);

  private static AgentDefinition agent(String name, Tool tool) {
    return AgentDefinition.builder(name).systemPrompt("p").model("scripted:x").tools(tool).build();
  }

  @AfterAll
  void stop() {
    release.countDown();
    runtime.close();
  }

  @Test
  void aRunningCallIsInterruptedOnItsTimeout() throws Exception {
    long begin = System.nanoTime();
    AgentHandle handle = await(runtime.executor.execute("sleepy", "sleep", "sleep-timeout"));
    RunResult result = await(handle.result());
    assertEquals(RunStatus.completed, result.status());
    TestRuntime.awaitCondition(() -> interrupted.contains("sleep-timeout"), Duration.ofSeconds(10));
    assertTrue((System.nanoTime() - begin) / 1e9 < 20, "the thread did not sleep its minute");
  }

  @Test
  void aCallCancelledBeforeItsTurnNeverStartsAndARunningOneIsInterruptedOnAbort() throws Exception {
    // the dispatcher's only thread is held by another run's tool
    AgentHandle holding = await(runtime.executor.execute("holding", "hold", "hold-1"));
    TestRuntime.awaitCondition(() -> started.contains("hold-1"), Duration.ofSeconds(10));
    // this run's call waits for the thread; the run is aborted meanwhile
    AgentHandle queued = await(runtime.executor.execute("marking", "mark", "queued-1"));
    TestRuntime.awaitCondition(
        () -> await0(queued).steps() == 1, Duration.ofSeconds(10)); // its tool call is pending
    await(queued.abort("changed my mind"));
    // a later call queued behind it: when it starts, the aborted one's turn has passed
    AgentHandle later = await(runtime.executor.execute("marking", "mark", "later-1"));
    TestRuntime.awaitCondition(() -> await0(later).steps() == 1, Duration.ofSeconds(10));
    release.countDown();
    TestRuntime.awaitCondition(() -> started.contains("later-1"), Duration.ofSeconds(10));
    assertFalse(started.contains("queued-1"), "the aborted run's tool never started");
    // the running one is interrupted when its run is aborted
    await(later.abort("enough"));
    TestRuntime.awaitCondition(() -> interrupted.contains("later-1"), Duration.ofSeconds(10));
    assertEquals(RunStatus.completed, await(holding.result()).status());
  }

  private static RunResult await0(AgentHandle handle) {
    try {
      return await(handle.status());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
