package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentHandle;
import io.helix.json.Json;
import io.helix.model.ModelEvent;
import io.helix.model.ModelException;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Runs as OpenTelemetry spans (the SDK's in-memory exporter): the span tree of a run with two tool
 * calls, a retried model call and a sub-agent, with the GenAI attributes; a request's {@code
 * traceparent} puts its run in the caller's trace; a run stopped mid-way and resumed on a new node
 * goes on in the same trace.
 */
class TracingTest {

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
          .build();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

  private List<ModelEvent> script(ModelRequest request) {
    int seen =
        requests.computeIfAbsent(request.runId() + "/" + request.step(), k -> new AtomicInteger())
            .incrementAndGet();
    if (request.runId().startsWith("boss")) {
      return switch (request.step()) {
        case 1 -> {
          if (seen == 1) {
            throw ModelException.retryable("503 overloaded (scripted)");
          }
          yield List.of(
              ScriptedModel.toolCall("c1", "add", Json.object().put("a", 1).put("b", 2)),
              ScriptedModel.toolCall("c2", "add", Json.object().put("a", 3).put("b", 4)),
              ScriptedModel.finish("tool_calls", 11, 4));
        }
        case 2 ->
            List.of(
                ScriptedModel.toolCall("s1", "subagent__helper", Json.object().put("message", "add 2 and 3")),
                ScriptedModel.finish("tool_calls", 12, 3));
        default -> ScriptedModel.answer("done");
      };
    }
    return TestAgents.addThenAnswer(request);
  }

  private Config config(Path dir) {
    return ConfigFactory.parseMap(
            Map.of(
                "helix.data-dir", dir.resolve("data").toString(),
                "helix.plugins-dir", dir.resolve("plugins").toString(),
                "helix.http.port", 0,
                "pekko.management.http.port", 0,
                "pekko.management.http.bind-port", 0,
                "pekko.remote.artery.canonical.port", 0,
                "pekko.coordinated-shutdown.exit-jvm", "off",
                "helix.run.model-retry.min-backoff", "10ms"))
        .withFallback(ConfigFactory.load());
  }

  private HelixServer start(Path dir, io.helix.model.ModelClient model) throws Exception {
    AgentDefinition helper = TestAgents.adder("helper", 5);
    AgentDefinition boss =
        AgentDefinition.builder("boss")
            .systemPrompt("p")
            .model("scripted:boss-model")
            .tools(TestAgents.ADD)
            .subAgent(helper)
            .build();
    return HelixServer.builder()
        .config(config(dir))
        .agents(boss, TestAgents.adder("pauser", 5))
        .modelClient("scripted", model)
        .openTelemetry(otel)
        .start();
  }

  private List<SpanData> named(String name) {
    return spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
  }

  @Test
  void aRunsSpanTreeFollowsItsWorkWithTheGenAiAttributes() throws Exception {
    Path dir = Files.createTempDirectory("helix-tracing");
    try (HelixServer server = start(dir, new ScriptedModel(this::script))) {
      AgentHandle handle = TestRuntime.await(server.executor().execute("boss", "go", "boss-1"));
      assertEquals("completed", TestRuntime.await(handle.result()).status().name());
      TestRuntime.awaitCondition(() -> named("invoke_agent boss").size() == 1, Duration.ofSeconds(10));
    }
    SpanData boss = named("invoke_agent boss").get(0);
    SpanData helper = named("invoke_agent helper").get(0);
    String trace = boss.getTraceId();
    assertTrue(spans.getFinishedSpanItems().stream().allMatch(s -> s.getTraceId().equals(trace)));
    assertEquals("invoke_agent", boss.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name")));
    assertEquals(boss.getSpanId(), helper.getParentSpanId(), "the sub-agent's run is a child of its parent's");

    List<SpanData> bossChats =
        named("chat boss-model").stream().filter(s -> s.getParentSpanId().equals(boss.getSpanId())).toList();
    assertEquals(4, bossChats.size(), "steps 1 (twice: a retry), 2 and 3");
    SpanData failed =
        bossChats.stream().filter(s -> s.getStatus().getStatusCode() == StatusCode.ERROR).findFirst().orElseThrow();
    assertTrue(failed.getEvents().stream().anyMatch(e -> e.getName().equals("gen_ai.retry")));
    SpanData answered =
        bossChats.stream()
            .filter(s -> s.getAttributes().get(AttributeKey.longKey("helix.step")) == 1L)
            .filter(s -> s.getStatus().getStatusCode() != StatusCode.ERROR)
            .findFirst()
            .orElseThrow();
    assertEquals("scripted", answered.getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name")));
    assertEquals(11L, answered.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")));
    assertEquals(
        List.of("tool_calls"),
        answered.getAttributes().get(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons")));

    List<SpanData> tools =
        spans.getFinishedSpanItems().stream()
            .filter(s -> s.getName().startsWith("execute_tool") && s.getParentSpanId().equals(boss.getSpanId()))
            .toList();
    assertEquals(
        List.of("execute_tool add", "execute_tool add", "execute_tool subagent__helper"),
        tools.stream().map(SpanData::getName).sorted().toList());
    assertTrue(
        named("execute_tool add").stream().anyMatch(s -> s.getParentSpanId().equals(helper.getSpanId())),
        "the helper's own tool call is under its run span");
  }

  @Test
  void aRequestsTraceparentPutsTheRunInTheCallersTrace() throws Exception {
    Path dir = Files.createTempDirectory("helix-tracing");
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String caller = "00f067aa0ba902b7";
    try (HelixServer server = start(dir, new ScriptedModel(this::script))) {
      HttpResponse<String> started =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/agent/execute"))
                      .header("Content-Type", "application/json")
                      .header("traceparent", "00-" + traceId + "-" + caller + "-01")
                      .POST(HttpRequest.BodyPublishers.ofString(
                          "{\"agentType\":\"pauser\",\"message\":\"add\",\"runId\":\"traced-1\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(202, started.statusCode(), started.body());
      TestRuntime.awaitCondition(() -> named("invoke_agent pauser").size() == 1, Duration.ofSeconds(20));
    }
    SpanData run = named("invoke_agent pauser").get(0);
    assertEquals(traceId, run.getTraceId());
    assertEquals(caller, run.getParentSpanId());
  }

  @Test
  void aRunResumedOnANewNodeGoesOnInTheSameTrace() throws Exception {
    Path dir = Files.createTempDirectory("helix-tracing");
    CompletableFuture<Void> never = new CompletableFuture<>();
    // the first node's model never answers step 2: the run is mid-way when the node stops
    io.helix.model.ModelClient first =
        (request, events) ->
            request.step() == 2
                ? new io.helix.model.ModelCall() {
                  @Override
                  public java.util.concurrent.CompletionStage<io.helix.model.ModelResponse> response() {
                    return never.thenApply(v -> null);
                  }

                  @Override
                  public void cancel() {}
                }
                : new ScriptedModel(TestAgents::addThenAnswer).stream(request, events);
    try (HelixServer server = start(dir, first)) {
      TestRuntime.await(server.executor().execute("pauser", "add", "pause-1"));
      TestRuntime.awaitCondition(
          () -> !named("execute_tool add").isEmpty(), Duration.ofSeconds(20));
    }
    SpanData before = named("invoke_agent pauser").get(0);
    assertEquals(false, before.getAttributes().get(AttributeKey.booleanKey("helix.run.resumed")));
    spans.reset();
    try (HelixServer server = start(dir, new ScriptedModel(TestAgents::addThenAnswer))) {
      // remembered: it resumes by itself, and ends
      TestRuntime.awaitCondition(() -> named("invoke_agent pauser").size() == 1, Duration.ofSeconds(60));
    }
    SpanData after = named("invoke_agent pauser").get(0);
    assertEquals(true, after.getAttributes().get(AttributeKey.booleanKey("helix.run.resumed")));
    assertEquals(before.getTraceId(), after.getTraceId(), "the same trace");
    assertEquals(before.getSpanId(), after.getParentSpanId(), "a child of the run's first span");
    assertTrue(
        named("chat test").stream().anyMatch(s -> s.getParentSpanId().equals(after.getSpanId())),
        "step 2 asked on the new node, in the trace");
  }
}
