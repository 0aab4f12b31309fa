package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentRegistry;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelEvent;
import io.helix.model.ScriptedModel;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * A one-node runtime with the HTTP API bound on 127.0.0.1 at a free port, and a real HTTP client.
 *
 * <p>Agents: {@code adder} (answers at once: "The sum is 5."), {@code medium} (the same script, 100
 * ms between model events, about a second per run) and {@code slow} (a 200-word answer, one word a
 * second: it runs until aborted) and {@code hitl} ({@link io.helix.testkit.HitlAgents}: a tool
 * that requires approval, a client-executed tool, a long answer to interrupt).
 */
final class TestServer implements AutoCloseable {

  static final Duration DEADLINE = Duration.ofSeconds(30);
  static final Duration HEARTBEAT = Duration.ofMillis(300);
  static final Duration RESULT_WAIT_MAX = Duration.ofSeconds(5);
  static final long MAX_BODY = 64 * 1024;
  static final Duration BODY_READ_TIMEOUT = Duration.ofSeconds(1);
  static final int WS_MAX_CHUNKS_PER_FRAME = 64;
  static final int SLOW_WORDS = 200;
  static final Duration WS_KEEP_ALIVE = Duration.ofMillis(300);

  final ScriptedModel slowModel = words(SLOW_WORDS, Duration.ofSeconds(1));

  /** A model that answers {@code count} deltas ({@code word0 word1 ...}), {@code pause} apart. */
  static ScriptedModel words(int count, Duration pause) {
    return new ScriptedModel(
        request -> {
          List<ModelEvent> events = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            events.add(ScriptedModel.text("word" + i + " "));
          }
          events.add(ScriptedModel.finish("stop", 1, count));
          return events;
        },
        pause);
  }

  /**
   * The configuration of a server that soon notices a client that stops reading: subscribers cut
   * off {@code subscriberBuffer} chunks behind, small socket buffers.
   */
  static String cutsOffAfter(int subscriberBuffer) {
    return """
        helix.stream.subscriber-buffer = %d
        helix.stream.tail-size = 64
        pekko.http.server.socket-options.so-send-buffer-size = 8k
        """
        .formatted(subscriberBuffer);
  }
  final AgentRegistry agents =
      new AgentRegistry()
          .register(TestAgents.adder("adder", 5))
          .register(TestAgents.adder("medium", 5).withModel("medium:test"))
          .register(TestAgents.adder("slow", 5).withModel("slow:test"))
          .register(io.helix.testkit.HitlAgents.agent("hitl").withModel("hitl:test"));
  final ModelCatalog models =
      new ModelCatalog()
          .register("scripted", new ScriptedModel(TestAgents::addThenAnswer))
          .register("medium", new ScriptedModel(TestAgents::addThenAnswer, Duration.ofMillis(100)))
          .register("slow", slowModel)
          .register(
              "hitl",
              new ScriptedModel(io.helix.testkit.HitlAgents::script, Duration.ofMillis(20)));
  final TestRuntime runtime;
  final HttpSettings settings;
  final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final List<ServerBinding> bindings = new ArrayList<>();
  final URI base;

  TestServer() {
    this("", agents -> {}, models -> {});
  }

  TestServer(
      String extraConfig,
      java.util.function.Consumer<AgentRegistry> moreAgents,
      java.util.function.Consumer<ModelCatalog> moreModels) {
    this(extraConfig, moreAgents, moreModels, WS_KEEP_ALIVE);
  }

  /**
   * A server on {@code extraConfig} (HOCON over the test defaults), with more agents and models:
   * {@code moreAgents} and {@code moreModels} add to the ones above before the runtime starts.
   */
  TestServer(
      String extraConfig,
      java.util.function.Consumer<AgentRegistry> moreAgents,
      java.util.function.Consumer<ModelCatalog> moreModels,
      Duration wsKeepAlive) {
    this(TestRuntime.config(extraConfig), moreAgents, moreModels, wsKeepAlive);
  }

  /** A server on exactly this configuration (see {@link TestRuntime#config}). */
  TestServer(
      com.typesafe.config.Config config,
      java.util.function.Consumer<AgentRegistry> moreAgents,
      java.util.function.Consumer<ModelCatalog> moreModels,
      Duration wsKeepAlive) {
    settings =
        HttpSettings.fromConfig(
            com.typesafe.config.ConfigFactory.parseString(
                    """
                    helix.http {
                      host = "127.0.0.1"
                      port = 0
                      sse-heartbeat = %d ms
                      result-wait-max = %d ms
                      request-timeout = 20 s
                      max-body-size = %d
                      body-read-timeout = %d ms
                      ws-keep-alive = %d ms
                      ws-max-chunks-per-frame = %d
                    }
                    """
                        .formatted(
                            HEARTBEAT.toMillis(),
                            RESULT_WAIT_MAX.toMillis(),
                            MAX_BODY,
                            BODY_READ_TIMEOUT.toMillis(),
                            wsKeepAlive.toMillis(),
                            WS_MAX_CHUNKS_PER_FRAME))
                .withFallback(config));
    moreAgents.accept(agents);
    moreModels.accept(models);
    runtime = TestRuntime.start(agents, models, config);
    base = bind(runtime.executor);
  }

  /** The run history the API is given (an in-memory fake of the read model). */
  final FakeHistory history = new FakeHistory();

  /** The API bound last. */
  volatile HttpApi api;

  /** Binds the API over {@code executor} on a fresh port; unbound on {@link #close()}. */
  URI bind(AgentExecutor executor) {
    return bind(executor, settings, history);
  }

  /** Binds the API with these settings and history (null: none) on a fresh port. */
  URI bind(AgentExecutor executor, HttpSettings httpSettings, io.helix.history.StateStore runs) {
    try {
      api = new HttpApi(executor, agents, runs, httpSettings);
      ServerBinding binding =
          api
              .bind(runtime.testKit.system(), "127.0.0.1", 0)
              .toCompletableFuture()
              .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      bindings.add(binding);
      return URI.create("http://127.0.0.1:" + binding.localAddress().getPort());
    } catch (Exception e) {
      throw new AssertionError("binding failed", e);
    }
  }

  HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return client.send(request.timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("request failed", e);
    }
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path));
  }

  HttpResponse<String> get(String path) {
    return send(request(path).GET());
  }

  /**
   * Starts a run of {@code agentType} as the principal of {@code token} through the binding at
   * {@code api}; a started run's id goes into {@code started} (see {@link #abortAll}).
   */
  HttpResponse<String> executeAs(
      URI api, String token, String agentType, java.util.Collection<String> started) {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(api.resolve("/agent/execute"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"agentType\":\"" + agentType + "\",\"message\":\"x\"}")));
    if (response.statusCode() == 202) {
      started.add(json(response).get("runId").asText());
    }
    return response;
  }

  /** Aborts these runs (slow runs would hold up the node's shutdown), then closes the server. */
  void abortAllAndClose(java.util.Collection<String> runIds) throws Exception {
    for (String runId : runIds) {
      TestRuntime.await(
          TestRuntime.await(runtime.executor.getHandle(runId)).orElseThrow().abort("done"));
    }
    close();
  }

  HttpResponse<String> postJson(String path, String json) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** Starts a run and answers its id, checking the 202 answer. */
  String execute(String agentType, String message) {
    HttpResponse<String> response =
        postJson(
            "/agent/execute",
            Json.write(Json.object().put("agentType", agentType).put("message", message)));
    assertEquals(202, response.statusCode(), response.body());
    return json(response).get("runId").asText();
  }

  /** Starts a run with the caller's id, checking the 202 answer. */
  void execute(String agentType, String message, String runId) {
    HttpResponse<String> response =
        postJson(
            "/agent/execute",
            Json.write(
                Json.object()
                    .put("agentType", agentType)
                    .put("message", message)
                    .put("runId", runId)));
    assertEquals(202, response.statusCode(), response.body());
  }

  /** {@code GET /agent/result/{runId}?wait=5}, checking the 200 answer. */
  JsonNode result(String runId) {
    HttpResponse<String> response = get("/agent/result/" + runId + "?wait=5");
    assertEquals(200, response.statusCode(), response.body());
    return json(response);
  }

  /** The run's result once it has {@code status} (within 20 s). */
  JsonNode settled(String runId, String status) {
    JsonNode[] last = new JsonNode[1];
    io.helix.testkit.TestRuntime.awaitCondition(
        () -> status.equals((last[0] = result(runId)).get("status").asText()),
        Duration.ofSeconds(20));
    return last[0];
  }

  static JsonNode json(HttpResponse<String> response) {
    assertTrue(
        response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        "content type " + response.headers().firstValue("Content-Type"));
    return Json.parse(response.body());
  }

  @Override
  public void close() {
    for (ServerBinding binding : bindings) {
      binding.unbind().toCompletableFuture().join();
    }
    runtime.close();
  }
}
