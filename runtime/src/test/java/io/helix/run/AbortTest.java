package io.helix.run;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelEvent;
import io.helix.model.ScriptedModel;
import io.helix.stream.StreamChunk;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AbortTest {

  /** A long answer, one word every 50 ms. */
  private final ScriptedModel slow =
      new ScriptedModel(
          request -> {
            List<ModelEvent> events = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
              events.add(ScriptedModel.text("word" + i + " "));
            }
            events.add(ScriptedModel.finish("stop", 1, 400));
            return events;
          },
          Duration.ofMillis(50));
  private final TestRuntime runtime =
      TestRuntime.start(
          new AgentRegistry()
              .register(TestAgents.adder("adder", 5))
              .register(
                  AgentDefinition.builder("hasty")
                      .systemPrompt("be quick")
                      .model("scripted:x")
                      .deadline(Duration.ofSeconds(2))
                      .build()),
          new ModelCatalog().register("scripted", slow));

  @AfterAll
  void stop() {
    runtime.close();
  }

  private List<RunEvent> events(String runId) throws Exception {
    return PersistedChunks.events(
        runtime.testKit.system(), PersistenceTestKitReadJournal.Identifier(), runId);
  }


  @Test
  void abortCancelsTheModelCallAndEndsTheStream() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("adder", "talk", "abort-1"));
    List<StreamChunk> seen = new CopyOnWriteArrayList<>();
    CompletionStage<org.apache.pekko.Done> streamDone =
        handle.stream(0).runWith(Sink.foreach(seen::add), runtime.testKit.system());
    TestRuntime.awaitCondition(
        () -> seen.stream().filter(c -> c.type().equals("text_delta")).count() >= 3,
        Duration.ofSeconds(10));

    int cancelledBefore = slow.cancelledCalls();
    RunResult aborted = await(handle.abort("user cancelled"));

    assertEquals(RunStatus.failed, aborted.status());
    assertTrue(aborted.aborted());
    assertEquals("user cancelled", aborted.abortReason());
    assertEquals(cancelledBefore + 1, slow.cancelledCalls(), "the model call in flight was cancelled");
    await(streamDone);
    StreamChunk error = seen.get(seen.size() - 2);
    assertEquals("error", error.type());
    assertTrue(error.toJson().get("aborted").asBoolean());
    assertEquals("run_end", seen.get(seen.size() - 1).type());
    long deltas = seen.stream().filter(c -> c.type().equals("text_delta")).count();
    assertTrue(deltas < 400, "the answer stopped streaming, saw " + deltas);

    // what was streamed of the answer is kept as the run's last message, not lost with the abort
    String streamedText =
        seen.stream()
            .filter(c -> c.type().equals("text_delta"))
            .map(c -> c.toJson().get("delta").asText())
            .collect(java.util.stream.Collectors.joining());
    RunEvent.RunAborted abortEvent =
        (RunEvent.RunAborted) events("abort-1").get(events("abort-1").size() - 1);
    assertEquals(streamedText, abortEvent.interrupted().content());
    assertTrue(abortEvent.interrupted().toolCalls().isEmpty());
    RunState folded = null;
    for (RunEvent event : events("abort-1")) {
      folded = (folded == null ? RunState.EMPTY : folded).apply(event);
    }
    assertEquals(abortEvent.interrupted(), folded.messages().get(folded.messages().size() - 1));

    RunResult again = await(handle.abort("twice"));
    assertEquals("user cancelled", again.abortReason(), "aborting an ended run changes nothing");
    assertEquals(aborted, await(handle.result()));
  }

  @Test
  void aDeadlineKeepsWhatTheModelHadStreamed() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("hasty", "talk", "deadline-1"));
    RunResult failed = await(handle.result());
    assertEquals(RunStatus.failed, failed.status());
    assertTrue(failed.error().contains("deadline"), failed.error());
    List<StreamChunk> chunks =
        await(handle.stream(0).runWith(Sink.seq(), runtime.testKit.system()));
    String streamedText =
        chunks.stream()
            .filter(c -> c.type().equals("text_delta"))
            .map(c -> c.toJson().get("delta").asText())
            .collect(java.util.stream.Collectors.joining());
    assertFalse(streamedText.isEmpty(), "the model streamed before the deadline");
    List<RunEvent> events = events("deadline-1");
    RunEvent.RunFailed end = (RunEvent.RunFailed) events.get(events.size() - 1);
    assertNotNull(end.interrupted(), "the deadline cut an answer short");
    assertEquals(streamedText, end.interrupted().content());
  }
}
