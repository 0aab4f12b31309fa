package io.helix.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.json.Json;
import io.helix.model.ModelCall;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelClient;
import io.helix.model.ModelEvent;
import io.helix.model.ModelException;
import io.helix.model.ModelRequest;
import io.helix.model.ModelResponse;
import io.helix.model.TokenUsage;
import io.helix.model.ToolCall;
import io.helix.model.ToolSpec;
import io.helix.model.UserMessage;
import io.helix.providers.FakeModelServer.Response;
import io.helix.stream.ChunkTypes;
import io.helix.stream.StreamChunk;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every provider adapter must do, against a fake server that speaks the provider's wire
 * protocol: stream deltas and tool calls, record usage, run an agent with two tool calls to its
 * answer through the real runtime, retry what is retryable, fail at once on what is not, and close
 * the connection when a run is aborted. A subclass supplies the wire protocol.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ProviderContract {

  static final Secret KEY = new Secret("sk-test-0123456789-do-not-leak");
  static final HttpSettings HTTP =
      new HttpSettings(Duration.ofSeconds(5), Duration.ofSeconds(20), 500);
  static final int MAX_ATTEMPTS = 3;
  static final String FINAL_ANSWER = "1+2=3 and 3+4=7.";
  static final Duration WAIT = Duration.ofSeconds(30);

  private final ModelCatalog catalog = new ModelCatalog();
  private TestRuntime runtime;

  // ---- the provider's part

  /** The provider name agents use. */
  abstract String provider();

  /** The adapter, pointed at a fake server's root URL. */
  abstract ModelClient client(String serverUrl);

  /** The path the adapter posts a streaming chat to. */
  abstract String expectedPath();

  /** Step 1: text "Let me add.", then add(1,2) and add(3,4), usage 20 in / 10 out. */
  abstract void answerWithToolCalls(Response response) throws IOException;

  /** Step 2: {@link #FINAL_ANSWER} in several deltas, usage 30 in / 5 out. */
  abstract void answerFinally(Response response) throws IOException;

  /** An error answer with the provider's error body carrying {@code message}. */
  abstract void answerError(Response response, int status, String message, Map<String, String> headers)
      throws IOException;

  /** A stream's head and a first text delta, then the stream stays open. */
  abstract void startAnswerAndHold(Response response) throws IOException;

  /** The ids the provider gives the two tool calls of {@link #answerWithToolCalls}. */
  abstract List<String> toolCallIds();

  /** The request carried the key and declared the add tool with its schema. */
  abstract void assertFirstRequest(FakeModelServer.Request request);

  /** The second request gave the model both tool results, matched to their calls. */
  abstract void assertToolResultsSent(JsonNode secondRequestBody);

  /** The key the client sends; the fake echoes it in an error, and it must not leak. */
  Secret configuredKey() {
    return KEY;
  }

  /** Whether the provider streams tool-call arguments in pieces. */
  boolean streamsToolArguments() {
    return true;
  }

  // ---- the runtime

  @BeforeAll
  void startRuntime() {
    AgentDefinition agent =
        AgentDefinition.builder("math")
            .description("adds numbers")
            .systemPrompt("You add numbers with the add tool.")
            .model(provider() + ":test-model")
            .tools(TestAgents.ADD)
            .maxSteps(5)
            .build();
    runtime =
        TestRuntime.start(
            new AgentRegistry().register(agent),
            catalog,
            "helix.run.model-retry { max-attempts = "
                + MAX_ATTEMPTS
                + ", min-backoff = 10ms, max-backoff = 50ms }");
  }

  @AfterAll
  void stopRuntime() {
    runtime.close();
  }

  private RunResult run(FakeModelServer server, String runId) throws Exception {
    catalog.register(provider(), client(server.baseUrl()));
    AgentHandle handle = await(runtime.executor.execute("math", "What are 1+2 and 3+4?", runId));
    return await(handle.result());
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  static ModelRequest request() {
    return new ModelRequest(
        "test-model",
        "You add numbers with the add tool.",
        List.of(new UserMessage("What are 1+2 and 3+4?")),
        List.of(new ToolSpec(TestAgents.ADD.name(), TestAgents.ADD.description(), TestAgents.ADD.inputSchema())),
        "direct",
        1);
  }

  // ---- the contract

  @Test
  void streamsTextToolCallsAndUsage() throws Exception {
    try (FakeModelServer server = new FakeModelServer((request, response) -> answerWithToolCalls(response))) {
      List<ModelEvent> events = new CopyOnWriteArrayList<>();
      ModelResponse response =
          await(client(server.baseUrl()).stream(request(), events::add).response());

      List<String> ids = toolCallIds();
      assertEquals("Let me add.", response.message().content());
      assertEquals(
          List.of(
              new ToolCall(ids.get(0), "add", Json.parse("{\"a\":1,\"b\":2}")),
              new ToolCall(ids.get(1), "add", Json.parse("{\"a\":3,\"b\":4}"))),
          response.message().toolCalls());
      assertEquals("tool_calls", response.finishReason());
      assertEquals(new TokenUsage(20, 10), response.usage());

      assertTrue(events.get(events.size() - 1) instanceof ModelEvent.Finished, "Finished comes last");
      List<ToolCall> requested =
          events.stream()
              .filter(e -> e instanceof ModelEvent.ToolCallRequested)
              .map(e -> ((ModelEvent.ToolCallRequested) e).call())
              .toList();
      assertEquals(response.message().toolCalls(), requested, "one ToolCallRequested per call");
      if (streamsToolArguments()) {
        for (ToolCall call : requested) {
          List<ModelEvent> started =
              events.stream()
                  .filter(e -> e instanceof ModelEvent.ToolCallStarted s && s.toolCallId().equals(call.id()))
                  .toList();
          assertEquals(List.of(new ModelEvent.ToolCallStarted(call.id(), "add")), started);
          List<String> pieces =
              events.stream()
                  .filter(e -> e instanceof ModelEvent.ToolCallArgumentsDelta d && d.toolCallId().equals(call.id()))
                  .map(e -> ((ModelEvent.ToolCallArgumentsDelta) e).delta())
                  .toList();
          assertTrue(pieces.size() > 1, "the arguments came in pieces: " + pieces);
          assertEquals(call.arguments(), Json.parse(String.join("", pieces)));
          assertTrue(
              events.indexOf(started.get(0)) < events.indexOf(new ModelEvent.ToolCallRequested(call)));
        }
      }
      assertEquals(1, server.requests().size());
      assertEquals(expectedPath(), server.requests().get(0).path().replaceAll("\\?.*", ""));
      assertFirstRequest(server.requests().get(0));
    }
  }

  @Test
  void anAgentRunsTwoToolCallsToItsAnswer() throws Exception {
    try (FakeModelServer server =
        new FakeModelServer(
            (request, response) -> {
              if (request.index() == 0) {
                answerWithToolCalls(response);
              } else {
                answerFinally(response);
              }
            })) {
      catalog.register(provider(), client(server.baseUrl()));
      AgentHandle handle = await(runtime.executor.execute("math", "What are 1+2 and 3+4?", provider() + "-full"));
      RunResult result = await(handle.result());

      assertEquals(RunStatus.completed, result.status(), result.error());
      assertEquals(FINAL_ANSWER, result.output().asText());
      assertEquals(2, result.steps());
      assertEquals(new TokenUsage(50, 15), result.usage(), "usage summed over both responses");

      List<StreamChunk> chunks =
          await(handle.stream(0).runWith(Sink.seq(), runtime.testKit.system()));
      Map<String, Long> counts =
          chunks.stream().collect(Collectors.groupingBy(StreamChunk::type, Collectors.counting()));
      assertEquals(2L, counts.get(ChunkTypes.TOOL_START));
      assertEquals(2L, counts.get(ChunkTypes.TOOL_END));
      if (streamsToolArguments()) {
        assertEquals(2L, counts.get(ChunkTypes.TOOL_ARG_STREAM_START));
        assertTrue(counts.get(ChunkTypes.TOOL_ARG_STREAM_DELTA) >= 4);
      }
      String text =
          chunks.stream()
              .filter(c -> c.type().equals(ChunkTypes.TEXT_DELTA))
              .map(c -> c.toJson().get("delta").asText())
              .collect(Collectors.joining());
      assertEquals("Let me add." + FINAL_ANSWER, text);

      assertEquals(2, server.requests().size());
      assertToolResultsSent(Json.parse(server.requests().get(1).body()));
    }
  }

  @Test
  void aRateLimitIsRetriedAfterItsRetryAfter() throws Exception {
    try (FakeModelServer server =
        new FakeModelServer(
            (request, response) -> {
              if (request.index() == 0) {
                answerError(response, 429, "Rate limit reached, slow down", Map.of("Retry-After", "1"));
              } else {
                answerFinally(response);
              }
            })) {
      RunResult result = run(server, provider() + "-429");

      assertEquals(RunStatus.completed, result.status(), result.error());
      assertEquals(FINAL_ANSWER, result.output().asText());
      List<FakeModelServer.Request> requests = server.requests();
      assertEquals(2, requests.size());
      long gapMillis = TimeUnit.NANOSECONDS.toMillis(requests.get(1).receivedNanos() - requests.get(0).receivedNanos());
      assertTrue(gapMillis >= 1000, "Retry-After: 1 was honoured, the retry came after " + gapMillis + " ms");
    }
  }

  @Test
  void serverErrorsAreRetriedThenFailTheRunWithTheProvidersText() throws Exception {
    try (FakeModelServer server =
        new FakeModelServer(
            (request, response) -> answerError(response, 500, "upstream exploded", Map.of()))) {
      RunResult result = run(server, provider() + "-500");

      assertEquals(RunStatus.failed, result.status());
      assertTrue(result.error().contains("after " + MAX_ATTEMPTS + " attempts"), result.error());
      assertTrue(result.error().contains("upstream exploded"), result.error());
      assertTrue(result.error().contains("500"), result.error());
      assertEquals(MAX_ATTEMPTS, server.requests().size());
    }
  }

  @Test
  void anAuthenticationErrorFailsAtOnceWithoutTheKey() throws Exception {
    // the fake echoes the key, as some servers do: it must not reach the run's error
    try (FakeModelServer server =
        new FakeModelServer(
            (request, response) ->
                answerError(
                    response, 401, "Incorrect API key provided: " + configuredKey().reveal(), Map.of()))) {
      RunResult result = run(server, provider() + "-401");

      assertEquals(RunStatus.failed, result.status());
      assertTrue(result.error().contains("after 1 attempt"), result.error());
      assertTrue(result.error().contains("401"), result.error());
      assertTrue(result.error().contains("Incorrect API key provided"), result.error());
      if (configuredKey().isSet()) {
        assertFalse(result.error().contains(configuredKey().reveal()), result.error());
      }
      assertEquals(1, server.requests().size(), "not retried");
    }
  }

  @Test
  void errorsAreClassified() throws Exception {
    Map<Integer, Boolean> retryable = Map.of(400, false, 401, false, 403, false, 429, true, 500, true, 503, true);
    for (Map.Entry<Integer, Boolean> expected : retryable.entrySet()) {
      int status = expected.getKey();
      try (FakeModelServer server =
          new FakeModelServer(
              (request, response) ->
                  answerError(response, status, "status " + status + " text", Map.of("Retry-After", "7")))) {
        ModelCall call = client(server.baseUrl()).stream(request(), event -> {});
        ModelException error = failure(call);
        assertEquals(expected.getValue(), error.retryable(), status + ": " + error.getMessage());
        assertTrue(error.getMessage().startsWith(provider() + ": "), error.getMessage());
        assertTrue(error.getMessage().contains("status " + status + " text"), error.getMessage());
        if (status == 429) {
          assertEquals(Duration.ofSeconds(7), error.retryAfter().orElseThrow());
        }
      }
    }
  }

  @Test
  void aRefusedConnectionIsRetryable() throws Exception {
    String url;
    try (FakeModelServer server = new FakeModelServer((request, response) -> {})) {
      url = server.baseUrl();
    }
    ModelException error = failure(client(url).stream(request(), event -> {}));
    assertTrue(error.retryable(), error.getMessage());
  }

  @Test
  void abortClosesTheProvidersConnection() throws Exception {
    try (FakeModelServer server =
        new FakeModelServer(
            (request, response) -> {
              startAnswerAndHold(response);
              response.holdUntilClientCloses();
            })) {
      catalog.register(provider(), client(server.baseUrl()));
      AgentHandle handle = await(runtime.executor.execute("math", "Talk for a long time", provider() + "-abort"));
      List<StreamChunk> seen = new CopyOnWriteArrayList<>();
      handle.stream(0).runWith(Sink.foreach(seen::add), runtime.testKit.system());
      TestRuntime.awaitCondition(
          () -> seen.stream().anyMatch(c -> c.type().equals(ChunkTypes.TEXT_DELTA)), WAIT);
      assertFalse(server.clientClosed().isDone(), "the stream is open while the model talks");

      RunResult aborted = await(handle.abort("enough"));
      long abortedAt = System.nanoTime();

      assertTrue(aborted.aborted());
      long closedAt = server.clientClosed().get(1, TimeUnit.SECONDS);
      assertTrue(closedAt - abortedAt < TimeUnit.SECONDS.toNanos(1));
    }
  }

  @Test
  void cancelBeforeTheFirstDeltaClosesTheConnection() throws Exception {
    try (FakeModelServer server =
        new FakeModelServer(
            (request, response) -> {
              response.head(200, "text/event-stream", Map.of());
              response.holdUntilClientCloses();
            })) {
      ModelCall call = client(server.baseUrl()).stream(request(), event -> {});
      TestRuntime.awaitCondition(() -> server.requests().size() == 1, WAIT);
      call.cancel();
      server.clientClosed().get(1, TimeUnit.SECONDS);
      assertFalse(failure(call).retryable());
    }
  }

  @Test
  void cancelBeforeTheResponseHeadersClosesTheConnection() throws Exception {
    try (FakeModelServer server = new FakeModelServer((request, response) -> response.holdUntilClientCloses())) {
      ModelCall call = client(server.baseUrl()).stream(request(), event -> {});
      TestRuntime.awaitCondition(() -> server.requests().size() == 1, WAIT);
      call.cancel();
      server.clientClosed().get(1, TimeUnit.SECONDS);
      assertNotNull(failure(call));
    }
  }

  static ModelException failure(ModelCall call) throws Exception {
    try {
      call.response().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertTrue(e.getCause() instanceof ModelException, String.valueOf(e.getCause()));
      return (ModelException) e.getCause();
    }
    throw new AssertionError("the call succeeded");
  }
}
