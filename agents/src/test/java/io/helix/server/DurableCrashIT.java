package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.helix.json.Json;
import io.helix.testkit.TestRuntime;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the server while runs stream from a slow model (a local server speaking OpenAI's
 * protocol, counting requests per run and step): after a restart, with nothing sent to them, every
 * run completes; no persisted model response is requested again; every tool call ran at least once,
 * always with the same idempotency key.
 */
@Tag("slow")
class DurableCrashIT {

  private static final int RUNS = 4;
  private static final int TOOL_STEPS = 3;
  private static final Duration PAUSE = Duration.ofMillis(120);

  private HttpServer fake;
  /** run message -> step -> requests */
  private final Map<String, Map<Integer, AtomicInteger>> modelRequests = new ConcurrentHashMap<>();
  /** tool URL path -> idempotency keys seen */
  private final Map<String, List<String>> toolKeys = new ConcurrentHashMap<>();

  @BeforeEach
  void startFake() throws IOException {
    fake = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    fake.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    fake.createContext("/v1/chat/completions", this::answer);
    fake.createContext("/tool/", this::tool);
    fake.start();
  }

  @AfterEach
  void stopFake() {
    fake.stop(0);
  }

  private void tool(HttpExchange exchange) throws IOException {
    toolKeys
        .computeIfAbsent(exchange.getRequestURI().getPath(), k -> new CopyOnWriteArrayList<>())
        .add(String.valueOf(exchange.getRequestHeaders().getFirst("Idempotency-Key")));
    byte[] body = "fetched".getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  /** Steps 1..3 stream slowly, then fetch /tool/<run>/<step>; step 4 answers. */
  private void answer(HttpExchange exchange) throws IOException {
    JsonNode request = Json.parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    JsonNode messages = request.get("messages");
    String run = "";
    int step = 1;
    for (JsonNode message : messages) {
      if (message.path("role").asText().equals("user")) {
        run = message.path("content").asText();
      } else if (message.path("role").asText().equals("assistant")) {
        step++;
      }
    }
    modelRequests.computeIfAbsent(run, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(step, k -> new AtomicInteger())
        .incrementAndGet();
    exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      for (int i = 0; i < 6; i++) {
        OpenAiSse.send(out, OpenAiSse.delta(Json.object().put("content", "thinking " + i + " ")));
        pause();
      }
      if (step <= TOOL_STEPS) {
        ObjectNode call = Json.object();
        ObjectNode fn =
            call.putArray("tool_calls").addObject().put("index", 0).put("id", "call_" + step)
                .put("type", "function").putObject("function");
        String url = "http://127.0.0.1:" + fake.getAddress().getPort() + "/tool/" + run.replace(' ', '-') + "/" + step;
        fn.put("name", "fetch_url").put("arguments", Json.write(Json.object().put("url", url)));
        OpenAiSse.send(out, OpenAiSse.delta(call));
        OpenAiSse.send(out, OpenAiSse.finish("tool_calls", 10, 5));
      } else {
        OpenAiSse.send(out, OpenAiSse.delta(Json.object().put("content", "done")));
        OpenAiSse.send(out, OpenAiSse.finish("stop", 10, 5));
      }
      OpenAiSse.done(out);
    } catch (IOException closed) {
      // the server was killed mid-answer
    }
  }

  private static void pause() {
    try {
      Thread.sleep(PAUSE.toMillis()); // the fake model's speed, not a wait for a condition
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void runsCompleteAfterKillWithoutRerequestingPersistedResponses() throws Exception {
    Path data = Files.createTempDirectory("helix-crash-model");
    Map<String, String> env =
        Map.of(
            "OPENAI_BASE_URL", "http://127.0.0.1:" + fake.getAddress().getPort() + "/v1",
            "OPENAI_API_KEY", "sk-test",
            "HELIX_DEFAULT_MODEL", "openai:gpt-4o-mini",
            // a loopback address is reachable only when listed itself, with its port
            "HELIX_FETCH_ALLOW_HOSTS", "127.0.0.1:" + fake.getAddress().getPort());
    try (ServerProcess server = new ServerProcess(data, env, List.of()).start()) {
      Map<String, String> runIds = new HashMap<>();
      for (int i = 0; i < RUNS; i++) {
        String message = "crash run " + i;
        runIds.put(message, server.post("/agent/execute",
            "{\"agentType\":\"research\",\"message\":\"" + message + "\"}").body().get("runId").asText());
      }
      // mid-run: every run has a persisted model response and is still running
      TestRuntime.awaitCondition(
          () -> runIds.values().stream().allMatch(id -> server.steps(id) >= 1), Duration.ofSeconds(60));
      Map<String, Integer> persistedBeforeKill = new HashMap<>();
      runIds.forEach((message, id) -> persistedBeforeKill.put(message, server.steps(id)));
      server.kill();
      server.start();

      TestRuntime.awaitCondition(
          () -> runIds.values().stream().allMatch(id -> "completed".equals(server.status(id))),
          Duration.ofSeconds(90));

      for (var run : runIds.entrySet()) {
        Map<Integer, AtomicInteger> perStep = modelRequests.get(run.getKey());
        assertEquals(TOOL_STEPS + 1, perStep.size(), "every step was answered: " + perStep);
        int persisted = persistedBeforeKill.get(run.getKey());
        assertTrue(persisted < TOOL_STEPS + 1, "the run was mid-way at the kill");
        List<Integer> repeated = new ArrayList<>();
        perStep.forEach((step, count) -> {
          if (step <= persisted) {
            assertEquals(1, count.get(), run.getKey() + ": step " + step + " was persisted before the kill");
          }
          assertTrue(count.get() <= 2, run.getKey() + ": step " + step + " requested " + count);
          if (count.get() == 2) {
            repeated.add(step);
          }
        });
        assertTrue(repeated.size() <= 1, "only the step in flight at the kill is asked again: " + repeated);
        for (int step = 1; step <= TOOL_STEPS; step++) {
          String path = "/tool/" + run.getKey().replace(' ', '-') + "/" + step;
          List<String> keys = toolKeys.get(path);
          assertTrue(keys != null && !keys.isEmpty(), path + " was fetched");
          String expected = run.getValue() + "/" + step + "/call_" + step;
          keys.forEach(key -> assertEquals(expected, key, "the same idempotency key every time"));
        }
      }
    }
  }
}
