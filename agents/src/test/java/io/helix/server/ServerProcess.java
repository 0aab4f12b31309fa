package io.helix.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import io.helix.testkit.TestRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged server ({@code agents/target/helix-server.jar}) as a real process on loopback, with
 * a plain HTTP client for its API.
 */
final class ServerProcess implements AutoCloseable {

  static final Path JAR = Path.of("target", "helix-server.jar");

  private final Path dataDir;
  private final Map<String, String> env;
  private final List<String> jvmOptions;
  final int httpPort;
  final int managementPort;
  final int remotePort;
  private Process process;
  private Path log;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ServerProcess(Path dataDir, Map<String, String> env, List<String> jvmOptions) {
    this.dataDir = dataDir;
    this.env = env;
    this.jvmOptions = jvmOptions;
    this.httpPort = freePort();
    this.managementPort = freePort();
    this.remotePort = freePort();
  }

  /**
   * A port free now, below the kernel's ephemeral range (32768 and up on Linux): a port the kernel
   * handed out with {@code new ServerSocket(0)} can be given again to any outgoing connection
   * before the server binds it (seen: "Address already in use" at the server's start), one below
   * that range only to a process that asks for it by number.
   */
  static int freePort() {
    java.util.Random random = new java.util.Random();
    for (int tries = 0; tries < 200; tries++) {
      int port = 20000 + random.nextInt(12000);
      try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // another one
      }
    }
    throw new UncheckedIOException(new IOException("no free port in 20000..31999"));
  }

  /** Starts the process and waits until {@code /ready} answers 200. */
  ServerProcess start() throws IOException {
    launch();
    TestRuntime.awaitCondition(this::ready, Duration.ofSeconds(60));
    return this;
  }

  /** Starts the process and waits for it to exit by itself (a start that must fail); its code. */
  int startAndAwaitExit(Duration atMost) throws IOException, InterruptedException {
    launch();
    if (!process.waitFor(atMost.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("the server did not exit within " + atMost + ":\n" + logText());
    }
    return process.exitValue();
  }

  private void launch() throws IOException {
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run mvn package first");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(JAR.toAbsolutePath().toString());
    ProcessBuilder builder = new ProcessBuilder(command);
    cleanEnvironment(builder.environment());
    builder.environment().put("HELIX_DATA_DIR", dataDir.toString());
    builder.environment().put("HELIX_HTTP_PORT", String.valueOf(httpPort));
    builder.environment().put("HELIX_MANAGEMENT_PORT", String.valueOf(managementPort));
    builder.environment().put("HELIX_REMOTE_PORT", String.valueOf(remotePort));
    builder.environment().putAll(env);
    log = Files.createTempFile(dataDir, "server-", ".log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    process = builder.start();
  }

  /**
   * Keeps only what a JVM needs of this machine's environment: nothing configures the server but
   * what the test gives it (no model key, no {@code HELIX_*} setting, no proxy of the machine's).
   */
  static void cleanEnvironment(Map<String, String> environment) {
    Map<String, String> kept = new java.util.HashMap<>();
    for (String name : List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")) {
      String value = environment.get(name);
      if (value != null) {
        kept.put(name, value);
      }
    }
    environment.clear();
    environment.putAll(kept);
  }

  private boolean ready() {
    if (!process.isAlive()) {
      throw new AssertionError("the server exited with " + process.exitValue() + ":\n" + logText());
    }
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/ready"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  String logText() {
    try {
      return log == null ? "" : Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** The server's process, e.g. to find the processes it started. */
  ProcessHandle process() {
    return process.toHandle();
  }

  /** {@code kill -9}: no shutdown hook runs. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM: coordinated shutdown. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + httpPort + path);
  }

  record Reply(int status, String contentType, JsonNode body) {}

  Reply get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).GET().build());
  }

  Reply post(String path, String json) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  private Reply send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    String type = response.headers().firstValue("Content-Type").orElse("");
    return new Reply(response.statusCode(), type, Json.parse(response.body()));
  }

  /** A run's steps, or -1 while the server does not answer (e.g. restarting). */
  int steps(String runId) {
    try {
      return get("/agent/result/" + runId).body().get("steps").asInt();
    } catch (Exception e) {
      return -1;
    }
  }

  /** A run's status, or "unreachable" while the server does not answer. */
  String status(String runId) {
    try {
      return get("/agent/result/" + runId).body().get("status").asText();
    } catch (Exception e) {
      return "unreachable";
    }
  }

  /** Reads an SSE stream to its end: each event's id and JSON data. */
  List<SseEvent> readStream(String path, String lastEventId)
      throws IOException, InterruptedException {
    List<SseEvent> events = new ArrayList<>();
    readStreamInto(path, lastEventId, events);
    return events;
  }

  /**
   * Reads an SSE stream, adding each chunk event to {@code events} as it arrives (so a reader cut
   * off keeps what it saw); events without an id (heartbeats, resume notices) are skipped.
   */
  void readStreamInto(String path, String lastEventId, List<SseEvent> events)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120)).GET();
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<java.util.stream.Stream<String>> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != 200) {
      throw new AssertionError("stream answered " + response.statusCode());
    }
    String id = null;
    StringBuilder data = new StringBuilder();
    for (String line : (Iterable<String>) response.body()::iterator) {
      if (line.startsWith("id:")) {
        id = line.substring(3).trim();
      } else if (line.startsWith("data:")) {
        data.append(line.substring(5));
      } else if (line.isEmpty() && !data.isEmpty()) {
        if (id != null) {
          events.add(new SseEvent(Long.parseLong(id), Json.parse(data.toString())));
        }
        id = null;
        data.setLength(0);
      }
    }
  }

  record SseEvent(long id, JsonNode data) {}
}
