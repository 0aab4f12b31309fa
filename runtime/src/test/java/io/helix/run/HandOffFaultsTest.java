package io.helix.run;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.runtime.HelixRuntime;
import io.helix.stream.StreamChunk;
import io.helix.stream.InterceptedStreams;
import io.helix.stream.StreamCommand;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess$;
import org.apache.pekko.persistence.testkit.StorageFailure;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Faults between runs and their streams: a wrapper around every stream entity drops, duplicates
 * and reorders the runs' appends, the journal fails writes of streams and of a run. Every
 * subscriber still sees each persisted event's chunks exactly once, in order, with gap-free
 * offsets; while a run's actor lives, its token deltas too. Each fault is counted, and the test
 * fails unless each happened.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandOffFaultsTest {

  private final AtomicInteger appends = new AtomicInteger();
  private final AtomicInteger dropped = new AtomicInteger();
  private final AtomicInteger duplicated = new AtomicInteger();
  private final AtomicInteger reordered = new AtomicInteger();
  // the writes failed, per stream or run id
  private final ConcurrentHashMap<String, AtomicInteger> writesFailed = new ConcurrentHashMap<>();
  // the streams whose first write fails, and the runs whose fourth write fails
  private final Set<String> failFirstWrite = ConcurrentHashMap.newKeySet();
  private final Set<String> failFourthWrite = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, AtomicInteger> writes = new ConcurrentHashMap<>();

  private final ScriptedModel model = new ScriptedModel(HandOffFaultsTest::script);
  private final ActorTestKit testKit;
  private final AgentExecutor executor;

  HandOffFaultsTest() {
    Config config =
        TestRuntime.config(
            """
            helix.run.chunk-hand-off.resend-min-backoff = 50ms
            helix.run.chunk-hand-off.resend-max-backoff = 200ms
            helix.stream.persist-failure-backoff.min-backoff = 50ms
            helix.stream.persist-failure-backoff.max-backoff = 200ms
            """);
    testKit = ActorTestKit.create("handoff-faults", config);
    ActorSystem<Void> system = testKit.system();
    TestRuntime.join(system, system);
    PersistenceTestKit.create(system).withPolicy(new FailingWrites());
    // the streams' sharding with the faulty wrapper, before the runtime's own
    InterceptedStreams.init(system, Faults::new);
    AgentDefinition helper =
        AgentDefinition.builder("helper")
            .systemPrompt("help")
            .model("scripted:x")
            .tools(TestAgents.ADD)
            .build();
    AgentRegistry agents =
        new AgentRegistry()
            .register(
                AgentDefinition.builder("worker")
                    .systemPrompt("work")
                    .model("scripted:x")
                    .tools(TestAgents.ADD)
                    .maxSteps(10)
                    .build())
            .register(
                AgentDefinition.builder("boss")
                    .systemPrompt("boss")
                    .model("scripted:x")
                    .subAgent(helper)
                    .build());
    executor = HelixRuntime.start(system, agents, new ModelCatalog().register("scripted", model));
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  /**
   * The worker: steps 1-4 a delta and two tool calls, step 5 the answer in two deltas. The boss
   * asks three helpers at once (each a tool call and an answer), then answers.
   */
  private static List<ModelEvent> script(ModelRequest request) {
    int step = request.step();
    if (request.systemPrompt().equals("boss")) {
      if (step > 1) {
        return ScriptedModel.answer("helped.");
      }
      List<ModelEvent> calls = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        calls.add(
            ScriptedModel.toolCall(
                "h" + i, "subagent__helper", Json.object().put("message", "add " + i)));
      }
      calls.add(ScriptedModel.finish("tool_calls", 1, 1));
      return calls;
    }
    if (request.systemPrompt().equals("help")) {
      return step > 1
          ? ScriptedModel.answer("added ", "it.")
          : List.of(
              ScriptedModel.text("adding "),
              ScriptedModel.toolCall("c1", "add", Json.object().put("a", 1).put("b", 2)),
              ScriptedModel.finish("tool_calls", 1, 1));
    }
    if (step <= 4) {
      return List.of(
          ScriptedModel.text("step " + step + " "),
          ScriptedModel.toolCall("a" + step, "add", Json.object().put("a", step).put("b", 1)),
          ScriptedModel.toolCall("b" + step, "add", Json.object().put("a", step).put("b", 2)),
          ScriptedModel.finish("tool_calls", 1, 1));
    }
    return ScriptedModel.answer("all ", "done.");
  }

  /** Drops, duplicates and reorders the appends of runs, by turns; counts each. */
  private final class Faults implements InterceptedStreams.Filter {
    // copies this filter sends its entity: delivered as they are
    private final Set<StreamCommand> own = Collections.newSetFromMap(new IdentityHashMap<>());
    private StreamCommand.AppendFrom held;

    @Override
    public boolean deliver(ActorContext<StreamCommand> entity, StreamCommand command) {
      if (!(command instanceof StreamCommand.AppendFrom append)
          || append.chunks().isEmpty()
          || own.remove(command)) {
        return true;
      }
      if (held != null) {
        // the held append goes after this one: reordered
        own.add(held);
        entity.getSelf().tell(held);
        held = null;
        reordered.incrementAndGet();
      }
      switch (appends.incrementAndGet() % 5) {
        case 1 -> {
          dropped.incrementAndGet();
          return false;
        }
        case 2 -> {
          own.add(append);
          entity.scheduleOnce(Duration.ofMillis(30), entity.getSelf(), append);
          duplicated.incrementAndGet();
          return true;
        }
        case 3 -> {
          held = append;
          return false;
        }
        default -> {
          return true;
        }
      }
    }
  }

  /** Fails the first write of the chosen streams and the fourth of the chosen runs. */
  private final class FailingWrites implements ProcessingPolicy<JournalOperation> {
    @Override
    public ProcessingResult tryProcess(String persistenceId, JournalOperation operation) {
      if (operation instanceof WriteEvents) {
        int n = writes.computeIfAbsent(persistenceId, id -> new AtomicInteger()).incrementAndGet();
        String id = persistenceId.substring(persistenceId.indexOf('|') + 1);
        if (persistenceId.startsWith("Stream|") && n == 1 && failFirstWrite.contains(id)) {
          writesFailed.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
          return StorageFailure.create(new IllegalStateException("injected stream write failure"));
        }
        if (persistenceId.startsWith("Run|") && n == 4 && failFourthWrite.contains(id)) {
          writesFailed.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
          return StorageFailure.create(new IllegalStateException("injected run write failure"));
        }
      }
      return ProcessingSuccess$.MODULE$;
    }
  }

  /** What the run's journal says its stream holds. */
  private List<String> expectedDurable(String runId) throws Exception {
    return PersistedChunks.expected(
        PersistedChunks.events(
            testKit.system(), PersistenceTestKitReadJournal.Identifier(), runId));
  }

  private List<StreamChunk> subscribe(AgentHandle handle) throws Exception {
    return await(handle.stream(0).runWith(Sink.seq(), testKit.system()));
  }

  private static void assertGapFree(List<StreamChunk> chunks) {
    for (int i = 0; i < chunks.size(); i++) {
      assertEquals(i, chunks.get(i).seq(), "offsets are contiguous from 0");
    }
  }

  @Test
  void everyChunkArrivesExactlyOnceInOrderDespiteLostDuplicatedAndReorderedAppends()
      throws Exception {
    List<String> ids = List.of("faults-1", "faults-2", "faults-3", "faults-4");
    failFirstWrite.addAll(ids);
    List<CompletableFuture<RunResult>> results = new ArrayList<>();
    List<AgentHandle> handles = new ArrayList<>();
    for (String id : ids) {
      AgentHandle handle = await(executor.execute("worker", "work", id));
      handles.add(handle);
      results.add(handle.result().toCompletableFuture());
    }
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(RunStatus.completed, await(results.get(i)).status(), ids.get(i));
      List<StreamChunk> chunks = subscribe(handles.get(i));
      assertGapFree(chunks);
      assertEquals(expectedDurable(ids.get(i)), PersistedChunks.of(chunks), ids.get(i));
      // the run's actor lived throughout: its deltas too, exactly once and in order
      assertEquals(
          List.of("step 1 ", "step 2 ", "step 3 ", "step 4 ", "all ", "done."),
          chunks.stream()
              .filter(c -> c.type().equals("text_delta"))
              .map(c -> c.data().get("delta").asText())
              .toList(),
          ids.get(i));
      assertEquals(
          chunks.size(),
          PersistedChunks.of(chunks).size() + 6,
          "nothing but the persisted events' chunks and the deltas: " + chunks);
      // every subscriber sees the same
      assertEquals(chunks, subscribe(handles.get(i)));
    }
    assertTrue(dropped.get() >= 2, "appends dropped: " + dropped);
    assertTrue(duplicated.get() >= 2, "appends duplicated: " + duplicated);
    assertTrue(reordered.get() >= 2, "appends reordered: " + reordered);
    ids.forEach(id -> assertEquals(1, writesFailed.get(id).get(), id + ": its stream's first write failed"));
    System.out.printf(
        "hand-off faults: %d appends of runs, %d dropped, %d duplicated, %d reordered, %d stream"
            + " writes failed; every chunk once, in order%n",
        appends.get(), dropped.get(), duplicated.get(), reordered.get(), ids.size());
  }

  @Test
  void subAgentsWritingIntoTheirRootsStreamAreOriginsOfTheirOwn() throws Exception {
    List<String> ids = List.of("boss-1", "boss-2");
    failFirstWrite.addAll(ids);
    int droppedBefore = dropped.get();
    int duplicatedBefore = duplicated.get();
    List<AgentHandle> handles = new ArrayList<>();
    for (String id : ids) {
      handles.add(await(executor.execute("boss", "delegate", id)));
    }
    for (int i = 0; i < ids.size(); i++) {
      String root = ids.get(i);
      assertEquals(RunStatus.completed, await(handles.get(i).result()).status());
      List<StreamChunk> chunks = subscribe(handles.get(i));
      assertGapFree(chunks);
      List<String> runs = new ArrayList<>(List.of(root));
      for (int h = 1; h <= 3; h++) {
        runs.add(RunEntity.childRunId(root, 1, "h" + h));
      }
      for (String run : runs) {
        List<StreamChunk> own = chunks.stream().filter(c -> c.runId().equals(run)).toList();
        assertEquals(expectedDurable(run), PersistedChunks.of(own), run);
        if (!run.equals(root)) {
          assertEquals(
              List.of("adding ", "added ", "it."),
              own.stream()
                  .filter(c -> c.type().equals("text_delta"))
                  .map(c -> c.data().get("delta").asText())
                  .toList(),
              run);
        }
      }
    }
    assertTrue(dropped.get() > droppedBefore, "appends dropped");
    assertTrue(duplicated.get() > duplicatedBefore, "appends duplicated");
    ids.forEach(id -> assertEquals(1, writesFailed.get(id).get(), id + ": its stream's first write failed"));
  }

  @Test
  void aRunThatRestartsAfterAFailedWriteSendsWhatItsStreamLacksFromItsJournal()
      throws Exception {
    List<String> ids = List.of("restarts-1", "restarts-2");
    failFourthWrite.addAll(ids);
    List<AgentHandle> handles = new ArrayList<>();
    for (String id : ids) {
      handles.add(await(executor.execute("worker", "work", id)));
    }
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(RunStatus.completed, await(handles.get(i).result()).status());
      List<StreamChunk> chunks = subscribe(handles.get(i));
      assertGapFree(chunks);
      assertEquals(expectedDurable(ids.get(i)), PersistedChunks.of(chunks), ids.get(i));
    }
    ids.forEach(id -> assertEquals(1, writesFailed.get(id).get(), id + ": its fourth write failed"));
  }
}
