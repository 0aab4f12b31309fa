package io.helix.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.helix.agent.AgentDefinition;
import io.helix.json.Json;
import io.helix.model.ModelClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A complete node for tests (the builder's, on the embedded H2 database in {@code dir}), with a
 * small HTTP client for its API. Close it to stop the node.
 */
final class Node implements AutoCloseable {

  final HelixServer server;
  final String base;
  final Config config;
  private final HttpClient http = HttpClient.newHttpClient();

  private Node(HelixServer server, Config config) {
    this.server = server;
    this.config = config;
    this.base = "http://127.0.0.1:" + server.httpPort();
  }

  static Node start(
      Path dir, Map<String, Object> settings, ModelClient model, AgentDefinition... agents)
      throws Exception {
    Map<String, Object> all = new HashMap<>();
    all.put("helix.data-dir", dir.resolve("data").toString());
    all.put("helix.plugins-dir", dir.resolve("plugins").toString());
    all.put("helix.http.port", 0);
    all.put("pekko.management.http.port", 0);
    all.put("pekko.management.http.bind-port", 0); // application.conf resolved it to 8558 already
    all.put("pekko.remote.artery.canonical.port", 0);
    all.put("pekko.coordinated-shutdown.exit-jvm", "off");
    all.put("jdbc-read-journal.refresh-interval", "200ms");
    all.putAll(settings);
    Config config = ConfigFactory.parseMap(all).withFallback(ConfigFactory.load());
    HelixServer server =
        HelixServer.builder()
            .config(config)
            .agents(agents)
            .modelClient("scripted", model)
            .start();
    return new Node(server, config);
  }

  record Answer(int status, String body) {
    JsonNode json() {
      return Json.parse(body);
    }
  }

  Answer get(String path, String token) throws Exception {
    return send(request(path, token).GET());
  }

  Answer delete(String path, String token) throws Exception {
    return send(request(path, token).DELETE());
  }

  Answer post(String path, String json, String token) throws Exception {
    return send(
        request(path, token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** Starts a run and waits for its end: its result. */
  JsonNode run(String json, String token) throws Exception {
    Answer started = post("/agent/execute", json, token);
    if (started.status() != 202) {
      throw new AssertionError("execute answered " + started.status() + ": " + started.body());
    }
    return result(started.json().get("runId").asText(), token);
  }

  JsonNode result(String runId, String token) throws Exception {
    Answer result = get("/agent/result/" + runId + "?wait=30", token);
    if (result.status() != 200) {
      throw new AssertionError("result answered " + result.status() + ": " + result.body());
    }
    return result.json();
  }

  private HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    return token == null ? builder : builder.header("Authorization", "Bearer " + token);
  }

  private Answer send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body());
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
