package io.helix.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helix.json.Json;
import io.helix.json.JsonValidator;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

/**
 * One session with an MCP server through the SDK's {@link McpAsyncClient}: for a {@code command}
 * server, one process. It lists the tools when it starts and again on each {@code
 * notifications/tools/list_changed}; when the process exits (or a url server cannot be reached)
 * it is lost: its calls in flight fail with the reason, and {@link McpToolSource} starts another.
 * Nothing here blocks: the SDK's requests are asynchronous, the process's pipes have threads of
 * their own.
 */
final class McpConnection {

  /** What a connection tells its source. */
  interface Listener {
    /** The server's tools, each listing newer than the one before. */
    void toolsListed(McpConnection connection, List<McpSchema.Tool> tools);

    /** The server died or cannot be reached; {@code reason} says how. Called once. */
    void lost(McpConnection connection, String reason);
  }

  /** The SDK's Jackson 2 mapper on a mapper of its own (the SDK's types need no other setup). */
  static final McpJsonMapper MAPPER = new JacksonMcpJsonMapper(new ObjectMapper());

  private static final String CLIENT_VERSION =
      Objects.requireNonNullElse(McpConnection.class.getPackage().getImplementationVersion(), "dev");

  private final McpServerConfig config;
  private final Listener listener;
  private final StdioProcessTransport stdio;
  private final McpAsyncClient client;
  /** The calls in flight, with their tools' names. */
  private final Map<CompletableFuture<?>, String> inFlight = new ConcurrentHashMap<>();
  private final CompletableFuture<List<McpSchema.Tool>> started = new CompletableFuture<>();
  private final CompletableFuture<Void> gone = new CompletableFuture<>();
  private long listings;
  private long appliedListing;
  private volatile String lostReason;
  private volatile boolean closed;

  /** The time the connection was made, for the restart backoff. */
  final long createdNanos = System.nanoTime();

  /** A connection not started yet: {@link #start()} starts it. */
  McpConnection(McpServerConfig config, McpSettings settings, Listener listener) {
    this.config = config;
    this.listener = listener;
    McpClientTransport transport;
    if (config.isStdio()) {
      stdio = new StdioProcessTransport(config, MAPPER, this::lost);
      transport = stdio;
    } else {
      stdio = null;
      transport = httpTransport(config, settings);
    }
    client =
        McpClient.async(transport)
            .requestTimeout(settings.requestTimeout())
            .initializationTimeout(settings.initializationTimeout())
            .clientInfo(McpSchema.Implementation.builder("helix-pekko", CLIENT_VERSION).build())
            .capabilities(McpSchema.ClientCapabilities.builder().build())
            .jsonSchemaValidator(new ProjectSchemaValidator())
            .toolsChangeConsumer(tools -> Mono.fromRunnable(() -> listed(nextListing(), tools)))
            .build();
  }

  /**
   * Starts the process (for a stdio server), then {@code initialize} and {@code tools/list}; see
   * {@link #started()}.
   */
  void start() {
    client
        .initialize()
        .toFuture()
        .thenCompose(
            init ->
                init.capabilities() == null || init.capabilities().tools() == null
                    ? noTools()
                    : listTools())
        .whenComplete(
            (tools, error) -> {
              if (error == null) {
                started.complete(tools);
              } else {
                started.completeExceptionally(error);
              }
            });
  }

  /** Completes with the first tool list, or fails when the server did not start. */
  CompletableFuture<List<McpSchema.Tool>> started() {
    return started;
  }

  private CompletableFuture<List<McpSchema.Tool>> noTools() {
    listed(nextListing(), List.of());
    return CompletableFuture.completedFuture(List.of());
  }

  private CompletableFuture<List<McpSchema.Tool>> listTools() {
    long listing = nextListing();
    return client.listTools().toFuture().thenApply(result -> {
      List<McpSchema.Tool> tools = result.tools() == null ? List.of() : result.tools();
      listed(listing, tools);
      return tools;
    });
  }

  private synchronized long nextListing() {
    return ++listings;
  }

  /** Passes a listing on unless a newer one was passed already. */
  private void listed(long listing, List<McpSchema.Tool> tools) {
    synchronized (this) {
      if (listing <= appliedListing || closed) {
        return;
      }
      appliedListing = listing;
    }
    listener.toolsListed(this, tools == null ? List.of() : tools);
  }

  /**
   * Calls a tool. The future fails with an {@link McpToolException} when the connection is lost
   * meanwhile; cancelling it stops waiting for the answer.
   */
  CompletableFuture<McpSchema.CallToolResult> call(McpSchema.CallToolRequest request) {
    String reason = lostReason;
    if (reason != null) {
      return CompletableFuture.failedFuture(serverLost(reason, request.name()));
    }
    CompletableFuture<McpSchema.CallToolResult> sent = client.callTool(request).toFuture();
    CompletableFuture<McpSchema.CallToolResult> call = new CompletableFuture<>();
    inFlight.put(call, request.name());
    call.whenComplete(
        (result, error) -> {
          inFlight.remove(call);
          sent.cancel(true); // cancelled, failed from here: stop waiting (no-op once answered)
        });
    sent.whenComplete(
        (result, error) -> {
          if (error == null) {
            call.complete(result);
          } else if (!config.isStdio() && unreachable(error)) {
            String unreachable = "cannot be reached (" + McpToolException.describe(error) + ")";
            call.completeExceptionally(serverLost(unreachable, request.name()));
            lost(unreachable);
          } else {
            call.completeExceptionally(error);
          }
        });
    reason = lostReason;
    if (reason != null) {
      call.completeExceptionally(serverLost(reason, request.name()));
    }
    return call;
  }

  private McpToolException serverLost(String reason, String tool) {
    return new McpToolException(
        "MCP server '" + config.name() + "' " + reason + " during the call to '" + tool + "'; "
            + (config.isStdio() ? "it is being restarted" : "connecting to it again"));
  }

  /** The server died or cannot be reached: fails what is in flight and tells the listener. */
  void lost(String reason) {
    synchronized (this) {
      if (lostReason != null || closed) {
        return;
      }
      lostReason = reason;
    }
    started.completeExceptionally(new McpToolException(reason));
    inFlight.forEach((call, tool) -> call.completeExceptionally(serverLost(reason, tool)));
    listener.lost(this, reason);
    gone.complete(null);
  }

  /** Whether a stdio server's process has ended (it may not be reported yet). */
  boolean exited() {
    return stdio != null && stdio.exited();
  }

  /** Completes once the connection was lost (and its source told) or closed. */
  CompletableFuture<Void> gone() {
    return gone;
  }

  /** Closes the session and, for a stdio server, ends its process. */
  void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    McpToolException closing = new McpToolException("MCP server '" + config.name() + "' was closed");
    started.completeExceptionally(closing);
    inFlight.keySet().forEach(call -> call.completeExceptionally(closing));
    client.closeGracefully().subscribe(ignored -> {}, error -> {});
    gone.complete(null);
  }

  /** Ends a stdio server's process at once (JVM shutdown). */
  void kill() {
    closed = true;
    if (stdio != null) {
      stdio.kill();
    }
  }

  int callsInFlight() {
    return inFlight.size();
  }

  /** The stdio server's process id while it runs. */
  OptionalLong pid() {
    return stdio == null ? OptionalLong.empty() : stdio.pid();
  }

  private static boolean unreachable(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof McpError || cause instanceof TimeoutException) {
        return false;
      }
      if (cause instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  private static McpClientTransport httpTransport(McpServerConfig config, McpSettings settings) {
    URI uri = URI.create(config.url());
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String endpoint = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    HttpRequest.Builder request = HttpRequest.newBuilder();
    config.headers().forEach(request::header);
    return HttpClientStreamableHttpTransport.builder(uri.getScheme() + "://" + uri.getRawAuthority())
        .endpoint(endpoint)
        .jsonMapper(MAPPER)
        .requestBuilder(request)
        .connectTimeout(settings.initializationTimeout())
        .build();
  }

  /**
   * The project's JSON Schema validator for the SDK (it checks structured tool output against an
   * output schema when asked to): the SDK's own is built on json-schema-validator 2.x, which the
   * project does not use.
   */
  static final class ProjectSchemaValidator implements JsonSchemaValidator {
    @Override
    public ValidationResponse validate(Map<String, Object> schema, Object structuredContent) {
      JsonNode value = Json.toTree(structuredContent);
      List<String> problems = JsonValidator.of(Json.toTree(schema)).problems(value);
      return problems.isEmpty()
          ? ValidationResponse.asValid(Json.write(value))
          : ValidationResponse.asInvalid(String.join("; ", problems));
    }
  }
}
