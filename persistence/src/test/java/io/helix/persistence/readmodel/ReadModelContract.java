package io.helix.persistence.readmodel;

import static io.helix.testkit.TestRuntime.await;

import io.helix.history.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.RunStatus;
import io.helix.model.AssistantMessage;
import io.helix.model.Message;
import io.helix.model.TokenUsage;
import io.helix.model.ToolCall;
import io.helix.json.Json;
import io.helix.run.RunEvent;
import io.helix.run.RunSettings;
import io.helix.testkit.TestRuntime;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.junit.jupiter.api.Test;

/**
 * The read model against the journal, on a real database through the real JDBC journal: the
 * tables hold exactly what the runs' events say, also after a node stopped in the middle of a
 * projection transaction, and a rebuild from the journal yields the same tables. Subclasses give
 * the database (H2, PostgreSQL).
 */
abstract class ReadModelContract {

  private static final int PER_KIND = 4;
  private static final Duration CATCH_UP = Duration.ofSeconds(60);

  /** A fresh, migrated database. */
  abstract TestDatabase newDatabase() throws Exception;


  private static TestRuntime node(TestDatabase database, Workload workload) {
    return TestRuntime.start(Workload.AGENTS, workload.models(), database.nodeConfig());
  }

  @Test
  void theTablesHoldExactlyWhatTheRunsEventsSay() throws Exception {
    TestDatabase database = newDatabase();
    Workload workload = new Workload();
    try (TestRuntime node = node(database, workload)) {
      StateStore store = ReadModel.start(node.testKit.system());
      List<String> roots = workload.run(node, PER_KIND);
      Map<String, Journal.History> runs = awaitProjected(node, store, roots);
      assertMatches(database, store, runs);
      checkQueries(store, runs);
    }
  }

  @Test
  void aNodeStoppedInAProjectionTransactionLeavesNoDuplicateAndNoGap() throws Exception {
    TestDatabase database = newDatabase();
    Workload workload = new Workload();
    List<String> roots;
    try (TestRuntime node = node(database, workload)) {
      roots = workload.run(node, PER_KIND); // no read model yet: the journal is ahead
      awaitEnded(node, roots);
    }

    // a node projects: the third group's writes are done, not committed, when the node stops
    CountDownLatch inTransaction = new CountDownLatch(1);
    CompletableFuture<Void> resume = new CompletableFuture<>();
    AtomicInteger groups = new AtomicInteger();
    AtomicReference<String> blockedTag = new AtomicReference<>();
    TestRuntime stopping = node(database, workload);
    try {
      StateStore store =
          ReadModel.start(
          stopping.testKit.system(),
          handler ->
              new JdbcHandler<>() {
                @Override
                public void process(ReadModelSession session, List<EventEnvelope<RunEvent>> events)
                    throws Exception {
                  handler.process(session, events);
                  if (groups.incrementAndGet() == 3) {
                    blockedTag.set(tagOf(events.get(0).persistenceId(), stopping));
                    inTransaction.countDown();
                    resume.join();
                    throw new IllegalStateException("the node stopped");
                  }
                }
              });
      assertTrue(inTransaction.await(60, TimeUnit.SECONDS), "the projection got to a third group");
      ProjectionLag lag =
          await(store.lag()).stream()
              .filter(l -> l.tag().equals(blockedTag.get()))
              .findFirst()
              .orElseThrow();
      assertFalse(lag.caughtUp(), "the stopped tag has events not projected: " + lag);
    } finally {
      CompletableFuture<Void> closed = CompletableFuture.runAsync(stopping::close);
      var shutdown = CoordinatedShutdown.get(Adapter.toClassic(stopping.testKit.system()));
      TestRuntime.awaitCondition(
          () -> shutdown.getShutdownReason().isPresent(), Duration.ofSeconds(10));
      resume.complete(null); // the open transaction fails after the node began to stop
      closed.get(60, TimeUnit.SECONDS);
    }

    // the next node goes on from the committed offsets
    try (TestRuntime node = node(database, workload)) {
      StateStore store = ReadModel.start(node.testKit.system());
      Map<String, Journal.History> runs = awaitProjected(node, store, roots);
      assertMatches(database, store, runs);
    }
  }

  @Test
  void aRebuildFromTheJournalYieldsIdenticalTables() throws Exception {
    TestDatabase database = newDatabase();
    Workload workload = new Workload();
    List<String> roots;
    Tables before;
    try (TestRuntime node = node(database, workload)) {
      StateStore store = ReadModel.start(node.testKit.system());
      roots = workload.run(node, PER_KIND);
      assertMatches(database, store, awaitProjected(node, store, roots));
      before = Tables.read(database);
    }

    Rebuild.Result removed = Rebuild.rebuild(database.settings());
    assertEquals(new Rebuild.Result(before.runs().size(), before.messages().size(), 4), removed);
    Tables empty = Tables.read(database);
    assertEquals(new Tables(List.of(), List.of(), List.of()), empty);

    try (TestRuntime node = node(database, workload)) {
      StateStore store = ReadModel.start(node.testKit.system());
      awaitProjected(node, store, roots);
      assertEquals(before, Tables.read(database));
    }
  }

  @Test
  void anEventDeliveredAgainIsSkippedAndOneAfterAGapIsRefused() throws Exception {
    TestDatabase database = newDatabase();
    List<RunEvent> events =
        List.of(
            new RunEvent.RunStarted("r1", "adder", "add", "r1", null, Json.object().put("a", 1), 1000),
            new RunEvent.ModelResponded(
                1,
                new AssistantMessage("", List.of(new ToolCall("c1", "add", Json.object())), "hm"),
                "tool_calls",
                new TokenUsage(3, 4),
                1001),
            new RunEvent.StateUpdated(1, "c1", Json.parse("[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2}]"), 1002),
            new RunEvent.ToolResultRecorded(1, "c1", "add", null, false, "bad input", 1003),
            new RunEvent.RunCompleted(Json.object().put("sum", 2), 1004));
    try (Connection connection = database.connect()) {
      connection.setAutoCommit(false);
      for (int i = 0; i < events.size(); i++) {
        RunEventHandler.project(connection, "Run|r1", i + 1, events.get(i));
      }
      connection.commit();
      Tables once = Tables.read(database);
      for (int i = events.size() - 1; i >= 0; i--) {
        RunEventHandler.project(connection, "Run|r1", i + 1, events.get(i));
      }
      connection.commit();
      assertEquals(once, Tables.read(database), "every event again: nothing changes");
      // run_id, agent_type, stream_id, status, step_count, custom_state, output, error,
      // parent_agent_id, aborted, abort_reason, created_at, updated_at, tokens, event_seq
      assertEquals(
          Arrays.asList(
              "r1", "adder", "r1", "completed", 1L, "{\"a\":2}", "{\"sum\":2}", null, null, 0L,
              null, 1000L, 1004L, 3L, 4L, 5L, null),
          once.runs().get(0));
      // run_id, sequence, role, content, tool_calls, tool_call_id, tool_name, thinking, error
      assertEquals(
          List.of(
              Arrays.asList("r1", 0L, "user", "add", null, null, null, null, null, 1000L),
              Arrays.asList(
                  "r1", 1L, "assistant", "", "[{\"id\":\"c1\",\"name\":\"add\",\"arguments\":{}}]",
                  null, null, "hm", null, 1001L),
              Arrays.asList("r1", 2L, "tool", null, null, "c1", "add", null, "bad input", 1003L)),
          once.messages());

      IllegalStateException gap =
          assertThrows(
              IllegalStateException.class,
              () -> RunEventHandler.project(connection, "Run|r1", 7, events.get(3)));
      assertTrue(gap.getMessage().contains("event 7 of run r1"), gap.getMessage());
      assertThrows(
          IllegalStateException.class,
          () -> RunEventHandler.project(connection, "Run|r2", 2, events.get(3)));
      connection.rollback();
    }
  }

  @Test
  void aPersonInTheLoopSuspendsInterruptsAndResumesTheRow() throws Exception {
    TestDatabase database = newDatabase();
    List<RunEvent> events =
        List.of(
            new RunEvent.RunStarted("h1", "hitl", "go", "h1", null, Json.object(), 1000),
            new RunEvent.ModelResponded(
                1,
                new AssistantMessage(
                    "",
                    List.of(
                        new ToolCall("c1", "send", Json.object()),
                        new ToolCall("c2", "locate", Json.object())),
                    null),
                "tool_calls",
                new TokenUsage(1, 1),
                1001),
            new RunEvent.ApprovalRequested(1, "c1", "send", "a1", Json.object(), 1001),
            new RunEvent.ClientToolRequested(1, "c2", "locate", Json.object(), 1001),
            new RunEvent.ApprovalDecided(1, "c1", "a1", true, null, 1002),
            new RunEvent.ToolResultRecorded(1, "c1", "send", Json.object(), true, null, 1003),
            new RunEvent.ToolResultRecorded(1, "c2", "locate", Json.object(), true, null, 1004),
            new RunEvent.RunInterrupted("wait", new AssistantMessage("half", List.of(), null), 1005),
            new RunEvent.RunResumed("more", 1006));
    List<String> statuses = new java.util.ArrayList<>();
    List<Integer> pending = new java.util.ArrayList<>();
    try (Connection connection = database.connect()) {
      connection.setAutoCommit(false);
      for (int i = 0; i < events.size(); i++) {
        RunEventHandler.project(connection, "Run|h1", i + 1, events.get(i));
        RunEventHandler.project(connection, "Run|h1", i + 1, events.get(i)); // again: skipped
        connection.commit();
        List<Object> row = Tables.read(database).runs().get(0);
        statuses.add((String) row.get(3));
        Object json = row.get(16);
        pending.add(json == null ? 0 : Json.parse((String) json).size());
      }
    }
    assertEquals(
        List.of(
            "running", "running", "suspended", "suspended", "suspended", "suspended", "running",
            "interrupted", "running"),
        statuses);
    assertEquals(List.of(0, 0, 1, 2, 1, 1, 0, 0, 0), pending);
    List<List<Object>> messages = Tables.read(database).messages();
    assertEquals("interrupted: wait", messages.get(messages.size() - 2).get(8));
    assertEquals("more", messages.get(messages.size() - 1).get(3));
  }

  // ---- waiting and comparing

  /** Waits until every run in the journal has ended and the projections have caught up. */
  private static Map<String, Journal.History> awaitProjected(
      TestRuntime node, StateStore store, List<String> roots) throws Exception {
    Map<String, Journal.History> runs = awaitEnded(node, roots);
    TestRuntime.awaitCondition(
        () -> join(store.lag()).stream().allMatch(ProjectionLag::caughtUp), CATCH_UP);
    return runs;
  }

  /** Waits until the journal has every run, children included, ended; answers them. */
  private static Map<String, Journal.History> awaitEnded(TestRuntime node, List<String> roots)
      throws Exception {
    AtomicReference<Map<String, Journal.History>> runs = new AtomicReference<>();
    TestRuntime.awaitCondition(
        () -> {
          runs.set(join(() -> Journal.runs(node.testKit.system())));
          return runs.get().keySet().containsAll(roots)
              && runs.get().values().stream().allMatch(run -> run.state().terminal());
        },
        CATCH_UP);
    return runs.get();
  }

  private static void assertMatches(
      TestDatabase database, StateStore store, Map<String, Journal.History> runs)
      throws Exception {
    List<String> projected = new ArrayList<>();
    long messages;
    try (Connection connection = database.connect();
        Statement s = connection.createStatement()) {
      try (ResultSet row = s.executeQuery("SELECT run_id FROM agent_state ORDER BY run_id")) {
        while (row.next()) {
          projected.add(row.getString(1));
        }
      }
      try (ResultSet row = s.executeQuery("SELECT COUNT(*) FROM messages")) {
        row.next();
        messages = row.getLong(1);
      }
    }
    assertEquals(List.copyOf(runs.keySet()), projected, "a row per run in the journal");
    long expectedMessages = 0;
    for (Journal.History run : runs.values()) {
      assertEquals(Optional.of(run.expectedRow()), await(store.load(run.runId())), run.runId());
      MessagePage page = await(store.getMessages(run.runId(), 0, 1000, true));
      List<Message> expected = run.state().messages();
      assertEquals(expected.size(), page.total(), run.runId());
      assertFalse(page.hasMore());
      assertEquals(expected, page.messages().stream().map(StoredMessage::toMessage).toList(), run.runId());
      for (int i = 0; i < page.messages().size(); i++) {
        assertEquals(i, page.messages().get(i).sequence(), run.runId());
      }
      assertEquals(
          run.messageTimes(),
          page.messages().stream().map(StoredMessage::createdAt).toList(),
          run.runId());
      expectedMessages += expected.size();
    }
    assertEquals(expectedMessages, messages, "no message twice, none missing");
  }

  /** The query API over a finished workload: paging, thinking, filters, cursors, lag. */
  private static void checkQueries(StateStore store, Map<String, Journal.History> runs)
      throws Exception {
    // every kind is there
    Map<String, Long> byType =
        runs.values().stream()
            .collect(Collectors.groupingBy(r -> r.state().agentType(), Collectors.counting()));
    assertEquals(12, byType.size(), byType.toString());
    assertTrue(runs.values().stream().anyMatch(r -> r.state().aborted() && r.state().parentRunId() != null),
        "a sub-agent aborted with its parent");
    assertTrue(runs.values().stream().anyMatch(r -> r.events().stream().anyMatch(RunEvent.StateUpdated.class::isInstance)));
    assertTrue(runs.values().stream().anyMatch(r -> r.events().stream().anyMatch(RunEvent.OutputRequested.class::isInstance)));

    // messages in pages
    Journal.History counter = runs.get("counter-0");
    int total = counter.state().messages().size();
    assertEquals(7, total, "user, 3 responses, 3 tool results");
    MessagePage first = await(store.getMessages("counter-0", 0, 3, false));
    MessagePage rest = await(store.getMessages("counter-0", 3, 3, false));
    MessagePage last = await(store.getMessages("counter-0", 6, 3, false));
    assertEquals(List.of(3, 3, 1), List.of(first.messages().size(), rest.messages().size(), last.messages().size()));
    assertTrue(first.hasMore() && rest.hasMore() && !last.hasMore());
    assertEquals(total, last.total());
    assertEquals(List.of(6), last.messages().stream().map(StoredMessage::sequence).toList());
    assertEquals(0, await(store.getMessages("counter-0", 10, 3, false)).messages().size());
    assertEquals(new MessagePage(List.of(), 0, false), await(store.getMessages("nobody", 0, 10, false)));
    assertInstanceOf(
        IllegalArgumentException.class, failure(store.getMessages("counter-0", -1, 3, false)));
    assertInstanceOf(
        IllegalArgumentException.class, failure(store.getMessages("counter-0", 0, 100_000, false)));

    // thinking only when asked for
    StoredMessage withThinking = await(store.getMessages("thinker-0", 1, 1, true)).messages().get(0);
    StoredMessage without = await(store.getMessages("thinker-0", 1, 1, false)).messages().get(0);
    assertEquals("Let me think about it.", withThinking.thinking());
    assertNull(without.thinking());
    assertEquals("Forty-two.", ((AssistantMessage) without.toMessage()).content());
    assertEquals(7, await(store.load("thinker-0")).orElseThrow().usage().inputTokens());
    assertTrue(await(store.load("nobody")).isEmpty());

    // the rows say what the runs did
    AgentStateRow aborted = await(store.load("talker-0")).orElseThrow();
    assertEquals(RunStatus.failed, aborted.status());
    assertTrue(aborted.aborted());
    assertEquals("user cancelled 0", aborted.abortReason());
    AgentStateRow counted = await(store.load("counter-0")).orElseThrow();
    assertEquals(Json.parse("{\"a\":11,\"b\":2}"), counted.customState());
    assertEquals(counter.state().toResult(), counted.toResult());

    // listing: all, filtered, in pages by cursor
    List<AgentStateRow> all = listAll(store, RunFilter.all(), 1000);
    List<AgentStateRow> newestFirst =
        runs.values().stream()
            .map(Journal.History::expectedRow)
            .sorted(
                Comparator.comparingLong(AgentStateRow::createdAt)
                    .thenComparing(AgentStateRow::runId)
                    .reversed())
            .toList();
    assertEquals(newestFirst, all);
    assertEquals(newestFirst, listAll(store, RunFilter.all(), 7), "pages of 7 by cursor");
    assertEquals(
        newestFirst.stream().filter(r -> r.status() == RunStatus.failed).toList(),
        listAll(store, RunFilter.all().withStatus(RunStatus.failed), 5));
    assertEquals(
        newestFirst.stream().filter(r -> r.agentType().equals("boss")).toList(),
        listAll(store, RunFilter.all().withAgentType("boss"), 3));
    assertEquals(
        newestFirst.stream().filter(r -> r.parentAgentId() == null).toList(),
        listAll(store, RunFilter.all().withRootsOnly(true), 10));
    AgentStateRow middle = newestFirst.get(newestFirst.size() / 2);
    Instant from = Instant.ofEpochMilli(middle.createdAt());
    assertEquals(
        newestFirst.stream().filter(r -> r.createdAt() >= middle.createdAt()).toList(),
        listAll(store, RunFilter.all().createdBetween(from, null), 4));
    assertEquals(
        newestFirst.stream().filter(r -> r.createdAt() < middle.createdAt()).toList(),
        listAll(store, RunFilter.all().createdBetween(null, from), 4));
    assertInstanceOf(
        IllegalArgumentException.class, failure(store.list(RunFilter.all(), "not a cursor!", 10)));
    assertInstanceOf(IllegalArgumentException.class, failure(store.list(RunFilter.all(), null, 0)));

    // lag: caught up, at the journal's latest event of each tag
    List<ProjectionLag> lags = await(store.lag());
    assertEquals(List.of("run-0", "run-1", "run-2", "run-3"), lags.stream().map(ProjectionLag::tag).toList());
    for (ProjectionLag lag : lags) {
      assertTrue(lag.caughtUp(), lag.toString());
      assertEquals(lag.latestOffset(), lag.projectedOffset());
      assertTrue(lag.projectedOffset() > 0, lag.toString());
    }
  }

  private static List<AgentStateRow> listAll(StateStore store, RunFilter filter, int limit)
      throws Exception {
    List<AgentStateRow> all = new ArrayList<>();
    String cursor = null;
    do {
      RunPage page = await(store.list(filter, cursor, limit));
      assertTrue(page.runs().size() <= limit);
      assertTrue(page.hasMore() ? page.runs().size() == limit : true);
      all.addAll(page.runs());
      cursor = page.nextCursor();
    } while (cursor != null);
    return all;
  }

  private static Throwable failure(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      return e;
    }
    throw new AssertionError("did not fail");
  }

  private static String tagOf(String persistenceId, TestRuntime node) {
    RunSettings settings =
        RunSettings.fromConfig(node.testKit.system().settings().config().getConfig("helix"));
    return settings.tagOf(RunEventHandler.runIdOf(persistenceId));
  }

  @FunctionalInterface
  private interface Check<T> {
    T get() throws Exception;
  }

  private static <T> T join(Check<T> check) {
    try {
      return check.get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static <T> T join(CompletionStage<T> stage) {
    return join(() -> await(stage));
  }
}
