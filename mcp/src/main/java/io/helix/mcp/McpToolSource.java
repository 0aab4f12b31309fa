package io.helix.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.Tool;
import io.helix.agent.ToolContext;
import io.helix.agent.ToolSource;
import io.helix.json.Json;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MCP server's tools, kept up to date, as a {@link ToolSource}: make one with {@link
 * McpTools#server}, hand it to {@code AgentDefinition.builder(...).toolSource(...)}, close it when
 * the node stops (a JVM shutdown ends its process too).
 *
 * <p>It starts the server at once (a {@code command} server as a child process) and keeps it:
 * when the process exits, or a {@code url} server cannot be reached, its calls in flight fail as
 * tool errors and it is started again after a backoff ({@code helix.mcp.restart-backoff}). Its
 * tool list is listed again on {@code notifications/tools/list_changed} and after each restart;
 * between restarts the model keeps seeing the last list and calls wait for the server. Tool
 * calls send the run's idempotency key in {@code _meta} ({@value McpTools#IDEMPOTENCY_KEY}),
 * stop waiting when the call is cancelled, and are bounded by {@code helix.mcp.request-timeout}.
 */
public final class McpToolSource implements ToolSource, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(McpToolSource.class);

  /** Restarts and call timeouts: small tasks, one thread for every source. */
  private static final ScheduledExecutorService SCHEDULER = scheduler();

  private static final Set<McpToolSource> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> OPEN.forEach(McpToolSource::kill), "helix-mcp-shutdown"));
  }

  private static ScheduledExecutorService scheduler() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(1, StdioProcessTransport.daemon("helix-mcp"));
    executor.setRemoveOnCancelPolicy(true); // a call's timeout goes when the call answers
    return executor;
  }

  private static final TypeReference<Map<String, Object>> ARGUMENTS = new TypeReference<>() {};

  private final McpServerConfig config;
  private final McpSettings settings;
  private final Events events = new Events();
  private final CompletableFuture<List<Tool>> firstStart = new CompletableFuture<>();
  private final AtomicInteger starts = new AtomicInteger();
  private volatile List<Tool> tools = List.of();

  // guarded by this
  private boolean closed;
  private McpConnection current;
  private CompletableFuture<McpConnection> ready = new CompletableFuture<>();
  private int failures;
  private ScheduledFuture<?> restart;

  McpToolSource(McpServerConfig config, McpSettings settings) {
    this.config = config;
    this.settings = settings;
    OPEN.add(this);
  }

  /** The server's name, the prefix of its tools' names. */
  public String name() {
    return config.name();
  }

  public McpServerConfig config() {
    return config;
  }

  /** The server's tools as the model sees them now; empty until it first answered. */
  @Override
  public List<Tool> tools() {
    return tools;
  }

  /**
   * Completes with the tools once the server first answered; fails only when the source is closed
   * first (a server that fails to start is retried meanwhile, so put a timeout on the wait).
   */
  public CompletionStage<List<Tool>> ready() {
    return firstStart.copy();
  }

  /** The id of a {@code command} server's process while it runs. */
  public synchronized OptionalLong pid() {
    return current == null ? OptionalLong.empty() : current.pid();
  }

  /** The calls sent to the server now and not answered yet (for tests). */
  synchronized int callsInFlight() {
    return current == null ? 0 : current.callsInFlight();
  }

  /** How many times the server was started and answered: 1, then one more for each restart. */
  public int starts() {
    return starts.get();
  }

  /** Ends the server (its process) and fails the calls in flight; no restart follows. */
  @Override
  public void close() {
    McpConnection connection;
    CompletableFuture<McpConnection> waiting;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (restart != null) {
        restart.cancel(false);
      }
      connection = current;
      current = null;
      waiting = ready;
    }
    OPEN.remove(this);
    tools = List.of();
    McpToolException closing = new McpToolException("MCP server '" + name() + "' was closed");
    waiting.completeExceptionally(closing);
    firstStart.completeExceptionally(closing);
    if (connection != null) {
      connection.close();
    }
  }

  /** Starts the server; {@link McpTools#server} calls it. */
  void start() {
    McpConnection connection;
    synchronized (this) {
      restart = null;
      if (closed) {
        return;
      }
      connection = new McpConnection(config, settings, events);
      current = connection;
    }
    connection.start();
    connection
        .started()
        .whenComplete(
            (list, error) -> {
              if (error == null) {
                started(connection);
              } else {
                failed(
                    connection,
                    (config.isStdio() ? "could not be started: " : "could not be reached: ")
                        + message(error));
              }
            });
  }

  private void started(McpConnection connection) {
    CompletableFuture<McpConnection> waiting;
    synchronized (this) {
      if (closed || connection != current) {
        connection.close();
        return;
      }
      waiting = ready;
    }
    int count = starts.incrementAndGet();
    log.info("MCP server '{}' is up ({} start{}) with {} tools", name(), count,
        count == 1 ? "" : "s", tools.size());
    waiting.complete(connection);
    firstStart.complete(tools);
  }

  /** The connection died, or never came up: fails who waits for it, restarts after a backoff. */
  private void failed(McpConnection connection, String reason) {
    CompletableFuture<McpConnection> waiting = null;
    synchronized (this) {
      if (closed || connection != current) {
        return;
      }
      current = null;
      if (!ready.isDone()) {
        waiting = ready;
      }
      ready = new CompletableFuture<>();
      long livedNanos = System.nanoTime() - connection.createdNanos;
      if (livedNanos >= settings.restartMaxBackoff().toNanos()) {
        failures = 0;
      }
      failures++;
      Duration delay = settings.backoff(failures);
      log.warn("MCP server '{}' {}; {} in {} ms", name(), reason,
          config.isStdio() ? "starting it again" : "connecting again", delay.toMillis());
      restart = SCHEDULER.schedule(this::start, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
    connection.close();
    if (waiting != null) {
      waiting.completeExceptionally(new McpToolException("MCP server '" + name() + "' " + reason));
    }
  }

  private void kill() {
    McpConnection connection;
    synchronized (this) {
      closed = true;
      connection = current;
    }
    if (connection != null) {
      connection.kill();
    }
  }

  /** A {@code tools/call} for {@code tool}, with the call's idempotency key in {@code _meta}. */
  CompletableFuture<Object> call(McpTool tool, JsonNode input, ToolContext context) {
    McpSchema.CallToolRequest request =
        new McpSchema.CallToolRequest(
            tool.mcpName(),
            arguments(input),
            Map.of(McpTools.IDEMPOTENCY_KEY, context.idempotencyKey()));
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    ScheduledFuture<?> timeout =
        SCHEDULER.schedule(
            () ->
                outcome.completeExceptionally(
                    new McpToolException(
                        "MCP tool '" + tool.name() + "' gave no answer within "
                            + settings.requestTimeout().toMillis() + " ms")),
            settings.requestTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
    outcome.whenComplete((result, error) -> timeout.cancel(false));
    context
        .cancellation()
        .thenAccept(
            reason ->
                outcome.completeExceptionally(
                    new McpToolException(
                        "the call to MCP tool '" + tool.name() + "' was cancelled: " + reason)));
    send(tool, request, outcome, true);
    return outcome;
  }

  /**
   * Sends the call to the server once it is up. A server found dead but not yet noticed (its exit
   * is being reported) is waited out: the call goes to the next one, once.
   */
  private void send(
      McpTool tool,
      McpSchema.CallToolRequest request,
      CompletableFuture<Object> outcome,
      boolean mayWaitOut) {
    CompletableFuture<McpConnection> connection;
    synchronized (this) {
      if (closed) {
        outcome.completeExceptionally(new McpToolException("MCP server '" + name() + "' was closed"));
        return;
      }
      connection = ready;
    }
    connection.whenComplete(
        (server, unavailable) -> {
          if (unavailable != null) {
            outcome.completeExceptionally(unwrap(unavailable));
          } else if (outcome.isDone()) {
            return;
          } else if (mayWaitOut && server.exited()) {
            server.gone().thenRun(() -> send(tool, request, outcome, false));
          } else {
            CompletableFuture<McpSchema.CallToolResult> call = server.call(request);
            // cancelled, timed out: stop waiting for the answer
            outcome.whenComplete((result, error) -> call.cancel(true));
            call.whenComplete((result, error) -> complete(outcome, tool, result, error));
          }
        });
  }

  private void complete(
      CompletableFuture<Object> outcome,
      McpTool tool,
      McpSchema.CallToolResult result,
      Throwable error) {
    if (error != null) {
      outcome.completeExceptionally(callFailure(tool, unwrap(error)));
    } else if (result == null) {
      outcome.completeExceptionally(new McpToolException("MCP tool '" + tool.name() + "' answered nothing"));
    } else if (Boolean.TRUE.equals(result.isError())) {
      outcome.completeExceptionally(
          new McpToolException(
              "MCP tool '" + tool.name() + "' failed: " + McpResults.errorText(result)));
    } else {
      try {
        outcome.complete(McpResults.toJson(result));
      } catch (RuntimeException e) {
        outcome.completeExceptionally(
            new McpToolException("MCP tool '" + tool.name() + "' answered no JSON: " + e.getMessage(), e));
      }
    }
  }

  private Throwable callFailure(McpTool tool, Throwable error) {
    if (error instanceof McpToolException) {
      return error;
    }
    if (error instanceof McpError) {
      return new McpToolException(
          "MCP server '" + name() + "' refused the call to '" + tool.mcpName() + "': "
              + error.getMessage(), error);
    }
    if (error instanceof TimeoutException) {
      return new McpToolException(
          "MCP tool '" + tool.name() + "' gave no answer within "
              + settings.requestTimeout().toMillis() + " ms", error);
    }
    return new McpToolException(
        "MCP server '" + name() + "' failed the call to '" + tool.mcpName() + "': " + message(error),
        error);
  }

  private static Map<String, Object> arguments(JsonNode input) {
    return input == null || !input.isObject() ? Map.of() : Json.mapper().convertValue(input, ARGUMENTS);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static String message(Throwable error) {
    return McpToolException.describe(error);
  }

  @Override
  public String toString() {
    return "McpToolSource[" + config + "]";
  }

  /** What the connections tell this source; not part of its public face. */
  private final class Events implements McpConnection.Listener {
    @Override
    public void toolsListed(McpConnection connection, List<McpSchema.Tool> listed) {
      synchronized (McpToolSource.this) {
        if (closed || connection != current) {
          return;
        }
        tools = McpTool.all(McpToolSource.this, listed);
      }
      log.info("MCP server '{}' lists {} tools: {}", name(), tools.size(),
          tools.stream().map(Tool::name).toList());
    }

    @Override
    public void lost(McpConnection connection, String reason) {
      failed(connection, reason);
    }
  }
}
