package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.helix.json.Json;
import io.helix.model.ScriptedModel;
import io.helix.testkit.NodeScripts;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} on the management port, read with a real Prometheus text-format parser (the
 * {@code parse-prometheus-text-format} npm package in test-clients/): after a workload its counters
 * equal the runs, tool calls and tokens of that workload.
 */
class MetricsTest {

  private static final Path CLIENTS = Path.of("../test-clients").toAbsolutePath().normalize();
  private static final int RUNS = 3;

  @Test
  void theCountersAreTheWorkloadsRunsToolCallsAndTokens() throws Exception {
    String node =
        NodeScripts.node(
            "npm ci --prefix test-clients",
            CLIENTS.resolve("node_modules/parse-prometheus-text-format"));
    Path dir = Files.createTempDirectory("helix-metrics");
    try (HelixServer server =
        HelixServer.builder()
            .config(
                ConfigFactory.parseMap(
                        Map.of(
                            "helix.data-dir", dir.resolve("data").toString(),
                            "helix.plugins-dir", dir.resolve("plugins").toString(),
                            "helix.http.port", 0,
                            "pekko.management.http.port", 0,
                            "pekko.management.http.bind-port", 0,
                            "pekko.remote.artery.canonical.port", 0,
                            "pekko.coordinated-shutdown.exit-jvm", "off"))
                    .withFallback(ConfigFactory.load()))
            .agents(TestAgents.adder("adder", 5))
            .modelClient("scripted", new ScriptedModel(TestAgents::addThenAnswer))
            .start()) {
      for (int i = 0; i < RUNS; i++) {
        var handle = TestRuntime.await(server.executor().execute("adder", "add " + i));
        assertEquals("completed", TestRuntime.await(handle.result()).status().name());
      }
      HttpResponse<String> scraped =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.managementPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, scraped.statusCode());
      assertTrue(
          scraped.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
          scraped.headers().toString());
      JsonNode families = parse(node, scraped.body());

      assertEquals(RUNS, value(families, "helix_runs_started_total", Map.of("agent_type", "adder")));
      assertEquals(
          RUNS,
          value(families, "helix_runs_ended_total", Map.of("agent_type", "adder", "status", "completed")));
      assertEquals(
          RUNS,
          value(families, "helix_tool_duration_seconds", Map.of("tool", "add", "outcome", "success"), "count"));
      // two model calls per run: 12 + 10 input and 5 + 3 output tokens (TestAgents.addThenAnswer)
      Map<String, String> model = Map.of("gen_ai_provider_name", "scripted", "gen_ai_request_model", "test");
      assertEquals(
          2 * RUNS,
          value(families, "gen_ai_client_operation_duration_seconds", model, "count"));
      assertEquals(
          RUNS * 22,
          value(families, "gen_ai_client_token_usage_tokens", with(model, "gen_ai_token_type", "input"), "sum"));
      assertEquals(
          RUNS * 8,
          value(families, "gen_ai_client_token_usage_tokens", with(model, "gen_ai_token_type", "output"), "sum"));
      assertTrue(value(families, "jvm_memory_used_bytes", Map.of("area", "heap", "id", "G1 Eden Space")) >= 0);
      assertEquals(1, value(families, "helix_cluster_members", Map.of("status", "up")));
      assertEquals(0, value(families, "helix_runs_active", Map.of()), "every run ended");
    }
  }

  private static Map<String, String> with(Map<String, String> labels, String key, String value) {
    var more = new java.util.HashMap<>(labels);
    more.put(key, value);
    return more;
  }

  /** The value of the family's one metric whose labels include {@code labels}. */
  private static double value(JsonNode families, String name, Map<String, String> labels) {
    return value(families, name, labels, null);
  }

  private static double value(
      JsonNode families, String name, Map<String, String> labels, String field) {
    for (JsonNode family : families) {
      if (!family.get("name").asText().equals(name)) {
        continue;
      }
      double sum = 0;
      boolean found = false;
      for (JsonNode metric : family.get("metrics")) {
        JsonNode have = metric.path("labels");
        if (labels.entrySet().stream().allMatch(e -> have.path(e.getKey()).asText().equals(e.getValue()))) {
          sum += Double.parseDouble((field == null ? metric.get("value") : metric.get(field)).asText());
          found = true;
        }
      }
      if (found) {
        return sum;
      }
      fail(name + " has no metric with " + labels + ": " + family);
    }
    return fail("no metric family " + name);
  }

  private static JsonNode parse(String node, String text) throws Exception {
    Process process =
        NodeScripts.process(
                CLIENTS, List.of(node, CLIENTS.resolve("parse-prometheus.mjs").toString()))
            .start();
    try (var in = process.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the parser finished");
    assertEquals(0, process.exitValue(), "the parser accepted the exposition");
    return Json.parse(out);
  }
}
