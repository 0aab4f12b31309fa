package io.helix.client;

import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One GET of a Server-Sent Events stream. The HTTP client's threads put the response's lines into
 * a queue (at most {@link #WINDOW} ahead of the reader: back-pressure reaches the server through
 * TCP); one reader thread takes them as {@link Signal}s, each wait bounded by a timeout. {@link
 * #cancel()} may be called from any thread and wakes the reader.
 */
final class SseConnection {

  /** What the connection tells its reader. */
  sealed interface Signal {}

  /** The server answered 200: the events follow. */
  record Opened() implements Signal {}

  /** The server answered with another status; the body is read. */
  record Rejected(int status, HttpHeaders headers, byte[] body) implements Signal {}

  /** An event: its {@code id} (null when none), type ({@code message} by default) and data. */
  record Event(String id, String type, String data) implements Signal {}

  /** A comment line, e.g. the server's heartbeat. */
  record Comment() implements Signal {}

  /** The response ended normally. */
  record End() implements Signal {}

  /** The exchange failed: no connection, or it broke. */
  record Failed(Throwable cause) implements Signal {}

  /** {@link #cancel()} was called. */
  record Cancelled() implements Signal {}

  /** How many lines the HTTP client may deliver ahead of the reader. */
  static final int WINDOW = 256;

  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private volatile Flow.Subscription subscription;
  private volatile boolean cancelled;
  private volatile CompletableFuture<HttpResponse<byte[]>> exchange;
  private int takenSinceRequest;

  // the event being read (reader thread only)
  private String id;
  private String type;
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;

  private SseConnection() {}

  /** Sends the request; its answer arrives as signals. */
  static SseConnection open(HttpClient http, HttpRequest request) {
    SseConnection connection = new SseConnection();
    connection.exchange =
        http.sendAsync(request, connection::bodyFor)
            .whenComplete(
                (response, error) -> {
                  if (error != null) {
                    connection.queue.add(new Failed(error));
                  } else if (response.statusCode() != 200) {
                    connection.queue.add(
                        new Rejected(response.statusCode(), response.headers(), response.body()));
                  }
                });
    return connection;
  }

  private BodySubscriber<byte[]> bodyFor(HttpResponse.ResponseInfo head) {
    if (head.statusCode() != 200) {
      return BodySubscribers.ofByteArray();
    }
    queue.add(new Opened());
    return BodySubscribers.mapping(BodySubscribers.fromLineSubscriber(new Lines()), none -> null);
  }

  /**
   * The next signal; null when nothing at all (not even a heartbeat) arrived within {@code
   * timeout}.
   */
  Signal next(Duration timeout) throws InterruptedException {
    while (true) {
      Object item = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (item == null) {
        return null;
      }
      if (!(item instanceof String line)) {
        return (Signal) item;
      }
      taken();
      Signal signal = parse(line);
      if (signal != null) {
        return signal;
      }
    }
  }

  /** Ends the exchange (closing its connection); a waiting {@link #next} gets {@link Cancelled}. */
  void cancel() {
    cancelled = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    CompletableFuture<HttpResponse<byte[]>> e = exchange;
    if (e != null) {
      e.cancel(true);
    }
    queue.add(new Cancelled());
  }

  /** Asks for more lines once half the window was read. */
  private void taken() {
    if (++takenSinceRequest >= WINDOW / 2) {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.request(takenSinceRequest);
      }
      takenSinceRequest = 0;
    }
  }

  /** One line of the event stream format (WHATWG HTML, "server-sent events"). */
  private Signal parse(String line) {
    if (line.isEmpty()) {
      if (!hasData) {
        type = null;
        return null;
      }
      if (data.length() > 0 && data.charAt(data.length() - 1) == '\n') {
        data.setLength(data.length() - 1);
      }
      String name = type == null || type.isEmpty() ? "message" : type;
      Event event = new Event(id, name, data.toString());
      id = null;
      type = null;
      data.setLength(0);
      hasData = false;
      return event;
    }
    if (line.charAt(0) == ':') {
      return new Comment();
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "data" -> {
        data.append(value).append('\n');
        hasData = true;
      }
      case "event" -> type = value;
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          id = value;
        }
      }
      default -> {
        // "retry" and unknown fields are ignored
      }
    }
    return null;
  }

  /** Receives the body's lines on the HTTP client's threads. */
  private final class Lines implements Flow.Subscriber<String> {
    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (cancelled) {
        s.cancel();
      } else {
        s.request(WINDOW);
      }
    }

    @Override
    public void onNext(String line) {
      queue.add(line);
    }

    @Override
    public void onError(Throwable error) {
      queue.add(new Failed(error));
    }

    @Override
    public void onComplete() {
      queue.add(new End());
    }
  }
}
