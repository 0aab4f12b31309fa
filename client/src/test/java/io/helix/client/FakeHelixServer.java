package io.helix.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for a Helix server on loopback (com.sun.net.httpserver): one run's SSE stream, played
 * per connection by a {@link Plan} (send up to an offset, then drop the connection, send a resume
 * event, end cleanly or hang), and canned answers for the other endpoints. Records every request.
 */
final class FakeHelixServer implements AutoCloseable {

  /** How a stream connection ends after its chunks. */
  enum Ending {
    /** The connection breaks mid-body (no final chunk): a crash, a network failure. */
    DROP,
    /** A {@code resume} event, then a normal end: the server shutting down. */
    RESUME,
    /** A normal end of the response. */
    CLEAN,
    /** Silence until the server stops. */
    HANG
  }

  /**
   * One stream connection: answer {@code status} (a problem for anything but 200), else the chunks
   * from the requested offset (from 0 with {@code ignoreResume}) up to {@code upTo} (exclusive).
   */
  record Plan(int status, long upTo, Ending ending, boolean ignoreResume) {
    static Plan upTo(long upTo, Ending ending) {
      return new Plan(200, upTo, ending, false);
    }

    static Plan status(int status) {
      return new Plan(status, 0, Ending.CLEAN, false);
    }
  }

  record Request(
      String method, String path, String query, Map<String, List<String>> headers, String body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> header : headers.entrySet()) {
        if (header.getKey().equalsIgnoreCase(name)) {
          return header.getValue().get(0);
        }
      }
      return null;
    }
  }

  /** A canned answer: status, content type, body. */
  record Answer(int status, String contentType, String body) {}

  final List<Request> requests = new CopyOnWriteArrayList<>();
  final List<Plan> plans = new CopyOnWriteArrayList<>();
  final AtomicInteger streamConnections = new AtomicInteger();
  /** The highest offset any stream connection has written. */
  final AtomicLong highestSent = new AtomicLong(-1);
  /** Answers by "METHOD /path" (not the stream: it follows the plans); several play in turn. */
  final Map<String, List<Answer>> answers = new ConcurrentHashMap<>();

  private final List<String> chunks;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final int port;
  private volatile HttpServer server;

  FakeHelixServer(List<ObjectNode> chunks) throws IOException {
    this.chunks = chunks.stream().map(ObjectNode::toString).toList();
    this.server = bind(0);
    this.port = server.getAddress().getPort();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Stops serving: open connections are closed, new ones refused. */
  void stop() {
    server.stop(0);
  }

  /** Serves again on the same port, as a restarted server does. */
  void start() throws IOException {
    server = bind(port);
  }

  @Override
  public void close() {
    stopped.countDown();
    server.stop(0);
    threads.shutdownNow();
  }

  void answer(String route, Answer... inTurn) {
    answers.put(route, new CopyOnWriteArrayList<>(List.of(inTurn)));
  }

  List<Request> requestsTo(String pathPrefix) {
    return requests.stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
  }

  private HttpServer bind(int port) throws IOException {
    HttpServer s =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    s.setExecutor(threads);
    s.createContext("/", this::handle);
    s.start();
    return s;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    URI uri = exchange.getRequestURI();
    requests.add(
        new Request(
            exchange.getRequestMethod(),
            uri.getRawPath(),
            uri.getRawQuery(),
            Map.copyOf(exchange.getRequestHeaders()),
            body));
    if (uri.getPath().startsWith("/agent/stream/")) {
      stream(exchange);
      return;
    }
    List<Answer> inTurn = answers.get(exchange.getRequestMethod() + " " + uri.getPath());
    if (inTurn == null) {
      send(exchange, new Answer(404, "application/problem+json",
          problem(404, "not-found", "Not found", "no route")));
    } else {
      send(exchange, inTurn.size() > 1 ? inTurn.remove(0) : inTurn.get(0));
    }
  }

  static String problem(int status, String kind, String title, String detail) {
    return "{\"type\":\"urn:helix:problem:" + kind + "\",\"title\":\"" + title + "\",\"status\":"
        + status + ",\"detail\":\"" + detail + "\"}";
  }

  private static void send(HttpExchange exchange, Answer answer) throws IOException {
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", answer.contentType());
    exchange.getResponseHeaders().add("X-Request-Id", "req-" + System.identityHashCode(answer));
    exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private void stream(HttpExchange exchange) throws IOException {
    int connection = streamConnections.getAndIncrement();
    Plan plan = plans.get(Math.min(connection, plans.size() - 1));
    if (plan.status() != 200) {
      String kind = plan.status() == 410 ? "stream-deleted" : "unavailable";
      send(exchange, new Answer(plan.status(), "application/problem+json",
          problem(plan.status(), kind, "Stream " + kind, "plan of connection " + connection)));
      return;
    }
    String lastEventId = exchange.getRequestHeaders().getFirst("Last-Event-ID");
    long from =
        lastEventId != null ? Long.parseLong(lastEventId) + 1 : fromQuery(exchange.getRequestURI());
    if (plan.ignoreResume()) {
      from = 0;
    }
    exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    write(out, ": connected\n\n");
    long end = Math.min(plan.upTo(), chunks.size());
    for (long offset = from; offset < end; offset++) {
      String json = chunks.get((int) offset);
      if (offset % 5 == 1) { // some events have their data on two lines, and CRLF line ends
        int cut = json.indexOf(',') + 1;
        write(out, "id: " + offset + "\r\ndata: " + json.substring(0, cut) + "\r\n");
        write(out, "data:" + json.substring(cut) + "\r\n\r\n");
      } else {
        write(out, "id: " + offset + "\ndata: " + json + "\n\n");
      }
      highestSent.accumulateAndGet(offset, Math::max);
    }
    switch (plan.ending()) {
      case CLEAN -> out.close();
      case RESUME -> {
        long next = Math.max(from, end);
        write(out, "event: resume\ndata: {\"type\":\"resume\",\"from\":" + next + "}\n\n");
        out.close();
      }
      case DROP -> throw new IllegalStateException("dropping the connection"); // closes it mid-body
      case HANG -> {
        try {
          stopped.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("dropping the connection");
      }
    }
  }

  private static long fromQuery(URI uri) {
    String query = uri.getQuery();
    if (query != null) {
      for (String parameter : query.split("&")) {
        if (parameter.startsWith("from=")) {
          return Long.parseLong(parameter.substring(5));
        }
      }
    }
    return 0;
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** A run's chunks as the server makes them: the root calls a tool, then a sub-agent, answers. */
  static List<ObjectNode> script(String root, String sub) {
    List<ObjectNode> c = new ArrayList<>();
    c.add(chunk(c, "run_start", root, "research", 0).put("message", "What is 6*7?"));
    for (String word : List.of("I ", "will ", "compute. ")) {
      c.add(chunk(c, "text_delta", root, "research", 1).put("delta", word));
    }
    c.add(chunk(c, "tool_arg_stream_start", root, "research", 1)
        .put("toolCallId", "c1").put("toolName", "calculator"));
    c.add(chunk(c, "tool_arg_stream_delta", root, "research", 1)
        .put("toolCallId", "c1").put("delta", "{\"expression\":\"6*7\"}"));
    ObjectNode start = chunk(c, "tool_start", root, "research", 1)
        .put("toolCallId", "c1").put("toolName", "calculator");
    start.putObject("arguments").put("expression", "6*7");
    c.add(start);
    c.add(chunk(c, "tool_end", root, "research", 1)
        .put("toolCallId", "c1").put("toolName", "calculator").put("success", true)
        .put("result", "42"));
    c.add(chunk(c, "subagent_start", root, "research", 2)
        .put("toolCallId", "c2").put("subAgentType", "analyzer").put("subAgentId", sub)
        .put("message", "analyze"));
    c.add(chunk(c, "run_start", sub, "analyzer", 0).put("message", "analyze"));
    c.add(chunk(c, "text_delta", sub, "analyzer", 1).put("delta", "fine"));
    c.add(chunk(c, "output", sub, "analyzer", 1).put("output", "fine"));
    c.add(chunk(c, "run_end", sub, "analyzer", 1).put("status", "completed"));
    c.add(chunk(c, "subagent_end", root, "research", 2)
        .put("toolCallId", "c2").put("subAgentType", "analyzer").put("subAgentId", sub)
        .put("status", "completed").put("output", "fine"));
    for (String word : List.of("The ", "answer ", "is ", "42.")) {
      c.add(chunk(c, "text_delta", root, "research", 3).put("delta", word));
    }
    c.add(chunk(c, "output", root, "research", 3).put("output", "The answer is 42."));
    c.add(chunk(c, "run_end", root, "research", 3).put("status", "completed"));
    return c;
  }

  private static ObjectNode chunk(
      List<ObjectNode> before, String type, String run, String agentType, int step) {
    return Transport.MAPPER.createObjectNode()
        .put("seq", before.size())
        .put("type", type)
        .put("runId", run)
        .put("agentId", run)
        .put("agentType", agentType)
        .put("step", step)
        .put("timestamp", 1_700_000_000_000L + before.size());
  }
}
