package io.helix.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The stdio transport of a {@code command} server: newline-delimited JSON-RPC over the process's
 * stdin and stdout, its stderr logged. In place of the SDK's {@code StdioClientTransport}, which
 * hides its process: this one reports the process's exit, so a dead server is noticed at once
 * (its calls fail then, not at their timeout) and restarted, exposes the process id, and starts
 * the process in a clean environment (only {@code PATH}, {@code HOME} and the configured {@code
 * env}; the SDK's passes on a few more, such as {@code USER} and {@code SHELL}).
 */
final class StdioProcessTransport implements McpClientTransport {

  private static final Logger log = LoggerFactory.getLogger(StdioProcessTransport.class);

  /** The variables a server inherits from the node; everything else it gets from its config. */
  static final java.util.List<String> INHERITED = java.util.List.of("PATH", "HOME");

  private final McpServerConfig config;
  private final McpJsonMapper mapper;
  private final Consumer<String> onExit;
  private final ExecutorService writer;
  private volatile Process process;
  /** Completes when the process started (or failed to); writes wait for it. */
  private final CompletableFuture<Process> processStarted = new CompletableFuture<>();
  private volatile boolean closing;
  private volatile String lastStderr = "";

  /** {@code onExit} gets a description of the exit (code, last stderr line). */
  StdioProcessTransport(McpServerConfig config, McpJsonMapper mapper, Consumer<String> onExit) {
    this.config = config;
    this.mapper = mapper;
    this.onExit = onExit;
    this.writer = Executors.newSingleThreadExecutor(daemon("mcp-" + config.name() + "-stdin"));
  }

  /** The environment of a server: {@link #INHERITED} from the node, then its {@code env}. */
  static void cleanEnvironment(Map<String, String> environment, Map<String, String> configured) {
    environment.clear();
    for (String name : INHERITED) {
      String value = System.getenv(name);
      if (value != null) {
        environment.put(name, value);
      }
    }
    environment.putAll(configured);
  }

  @Override
  public Mono<Void> connect(
      Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
    return Mono.fromRunnable(
            () -> {
              try {
                start(handler);
              } catch (RuntimeException e) {
                processStarted.completeExceptionally(e);
                throw e;
              }
            })
        .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic())
        .then();
  }

  private void start(
      Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
    ProcessBuilder builder = new ProcessBuilder(config.command());
    cleanEnvironment(builder.environment(), config.env());
    Process started;
    try {
      started = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start " + config.command().get(0) + ": " + e.getMessage(), e);
    }
    process = started;
    processStarted.complete(started);
    log.info("MCP server '{}' started, pid {}", config.name(), started.pid());
    thread("stdout", () -> readMessages(started, handler));
    Thread stderr = thread("stderr", () -> readErrors(started));
    started.onExit().thenAccept(exited -> thread("exit", () -> exited(exited, stderr)));
  }

  /** Reports the exit, with the last line the process wrote to stderr (read to its end first). */
  private void exited(Process exited, Thread stderr) {
    try {
      stderr.join(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!closing) {
      String last = lastStderr.isEmpty() ? "" : " (stderr: " + lastStderr + ")";
      onExit.accept("exited with code " + exited.exitValue() + last);
    }
  }

  private void readMessages(
      Process source,
      Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(source.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        McpSchema.JSONRPCMessage message;
        try {
          message = McpSchema.deserializeJsonRpcMessage(mapper, line);
        } catch (IOException | RuntimeException e) {
          log.warn("MCP server '{}' wrote a line that is no JSON-RPC message: {}", config.name(),
              line.length() > 200 ? line.substring(0, 200) + "..." : line);
          continue;
        }
        handler
            .apply(Mono.just(message))
            .subscribe(
                ignored -> {},
                error -> log.warn("MCP server '{}': a message failed", config.name(), error));
      }
    } catch (IOException e) {
      if (!closing) {
        log.debug("MCP server '{}': stdout closed: {}", config.name(), e.getMessage());
      }
    }
  }

  private void readErrors(Process source) {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(source.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (!line.isBlank()) {
          lastStderr = line.length() > 300 ? line.substring(0, 300) + "..." : line;
          log.info("MCP server '{}' stderr: {}", config.name(), line);
        }
      }
    } catch (IOException e) {
      // the process is gone; onExit reports it
    }
  }

  @Override
  public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
    return Mono.fromFuture(
        () -> CompletableFuture.runAsync(() -> write(message), writer), true);
  }

  /** On the writer thread: messages sent before the process started wait for it, in order. */
  private void write(McpSchema.JSONRPCMessage message) {
    Process target;
    try {
      target = processStarted.get(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("MCP server '" + config.name() + "' is closing", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("MCP server '" + config.name() + "' did not start", e);
    }
    if (closing || !target.isAlive()) {
      throw new IllegalStateException("MCP server '" + config.name() + "' is not running");
    }
    try {
      // JSON text has no raw line breaks: they are escaped inside strings
      byte[] line = (mapper.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
      OutputStream stdin = target.getOutputStream();
      stdin.write(line);
      stdin.flush();
    } catch (IOException e) {
      throw new IllegalStateException(
          "MCP server '" + config.name() + "' cannot be written to: " + e.getMessage(), e);
    }
  }

  /** Whether the process started and has ended. */
  boolean exited() {
    Process current = process;
    return current != null && !current.isAlive();
  }

  /** The server process's id while it runs. */
  OptionalLong pid() {
    Process current = process;
    return current == null || !current.isAlive() ? OptionalLong.empty() : OptionalLong.of(current.pid());
  }

  /** Closes stdin and ends the process: politely, then forcibly after a second. */
  @Override
  public Mono<Void> closeGracefully() {
    return Mono.fromRunnable(this::stop)
        .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic())
        .then();
  }

  private void stop() {
    closing = true;
    processStarted.completeExceptionally(new IllegalStateException("closed"));
    writer.shutdownNow();
    Process current = process;
    if (current == null) {
      return;
    }
    try {
      current.getOutputStream().close();
    } catch (IOException e) {
      // already gone
    }
    current.destroy();
    try {
      if (!current.waitFor(1, TimeUnit.SECONDS)) {
        current.destroyForcibly();
      }
    } catch (InterruptedException e) {
      current.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Ends the process at once, without waiting (JVM shutdown). */
  void kill() {
    closing = true;
    Process current = process;
    if (current != null) {
      current.destroyForcibly();
    }
  }

  @Override
  public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
    return mapper.convertValue(data, typeRef);
  }

  private Thread thread(String purpose, Runnable body) {
    Thread thread = daemon("mcp-" + config.name() + "-" + purpose).newThread(body);
    thread.start();
    return thread;
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
