package io.helix.providers;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A model provider on 127.0.0.1 for tests: plain HTTP/1.1 on a socket, one request per connection
 * ({@code Connection: close}), answered by a script that writes the provider's wire protocol. A
 * script may hold a stream open: the server then blocks reading the socket, so it learns the moment
 * the client closes the connection, with no polling.
 */
final class FakeModelServer implements AutoCloseable {

  /** A received request; {@code index} counts from 0. */
  record Request(int index, String method, String path, Map<String, String> headers, String body, long receivedNanos) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** Answers one request. */
  @FunctionalInterface
  interface Script {
    void answer(Request request, Response response) throws IOException;
  }

  /** The answer being written. */
  final class Response {
    private final Socket socket;
    private final OutputStream out;

    Response(Socket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
    }

    /** Status line and headers; {@code extra} adds headers (e.g. Retry-After). */
    Response head(int status, String contentType, Map<String, String> extra) throws IOException {
      StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " " + reason(status) + "\r\n");
      head.append("Content-Type: ").append(contentType).append("\r\n");
      head.append("Connection: close\r\n");
      extra.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
      head.append("\r\n");
      write(head.toString());
      return this;
    }

    /** A whole JSON answer with this status. */
    void json(int status, String body, Map<String, String> extra) throws IOException {
      Map<String, String> headers = new LinkedHashMap<>(extra);
      headers.put("Content-Length", String.valueOf(body.getBytes(StandardCharsets.UTF_8).length));
      head(status, "application/json", headers);
      write(body);
    }

    /** A 200 event stream of these events (each already in wire form), then the end. */
    void sse(List<String> events) throws IOException {
      head(200, "text/event-stream", Map.of());
      for (String event : events) {
        write(event);
      }
    }

    /** Writes and flushes, so each piece leaves as its own chunk. */
    void write(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** Keeps the connection open until the client closes it; then {@link #clientClosed} completes. */
    void holdUntilClientCloses() {
      try {
        InputStream in = socket.getInputStream();
        while (in.read() >= 0) {
          // a client sends nothing more after its request; anything else is ignored
        }
      } catch (IOException reset) {
        // a reset is a close too
      }
      clientClosed.complete(System.nanoTime());
    }
  }

  private final ServerSocket server;
  private final Script script;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Long> clientClosed = new CompletableFuture<>();
  private final Thread acceptor;

  FakeModelServer(Script script) throws IOException {
    this.script = script;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "fake-model-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** {@code http://127.0.0.1:port}, no trailing slash. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Completes with {@link System#nanoTime()} when a held stream's client closed it. */
  CompletableFuture<Long> clientClosed() {
    return clientClosed;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread handler = new Thread(() -> handle(socket), "fake-model-exchange");
        handler.setDaemon(true);
        handler.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void handle(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      String requestLine = readLine(in);
      if (requestLine == null || requestLine.isEmpty()) {
        return;
      }
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      String[] parts = requestLine.split(" ");
      Request request;
      synchronized (requests) {
        request = new Request(requests.size(), parts[0], parts[1], headers, body, System.nanoTime());
        requests.add(request);
      }
      script.answer(request, new Response(socket));
    } catch (IOException e) {
      // the client went away mid-answer: nothing to do
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        break;
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return b < 0 && line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      default -> "Status";
    };
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
