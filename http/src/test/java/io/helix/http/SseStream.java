package io.helix.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A Server-Sent Events client over {@link HttpClient}: parses events as they arrive (per the WHATWG
 * event-stream rules: {@code field: value} lines, a blank line dispatches, {@code :} starts a
 * comment), so a test can wait on them while the response is still open.
 */
final class SseStream implements AutoCloseable {

  /** One dispatched event; {@code data} lines joined with newlines. */
  record Event(String id, String event, String data) {
    JsonNode json() {
      return Json.parse(data);
    }

    String type() {
      return json().get("type").asText();
    }
  }

  final HttpResponse<Stream<String>> response;
  final List<Event> events = new CopyOnWriteArrayList<>();

  /** Comment lines, as heartbeats are sent. */
  final AtomicInteger comments = new AtomicInteger();

  /** Completes when the response body ends. */
  final CompletableFuture<Void> done = new CompletableFuture<>();

  private SseStream(HttpResponse<Stream<String>> response) {
    this.response = response;
  }

  static SseStream open(HttpClient client, HttpRequest request) {
    HttpResponse<Stream<String>> response;
    try {
      response =
          client
              .sendAsync(request, HttpResponse.BodyHandlers.ofLines())
              .get(TestServer.DEADLINE.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("opening the stream failed", e);
    }
    SseStream stream = new SseStream(response);
    if (response.statusCode() == 200) {
      Thread reader = new Thread(stream::read, "sse-reader");
      reader.setDaemon(true);
      reader.start();
    } else {
      stream.done.complete(null);
    }
    return stream;
  }

  private void read() {
    String id = null;
    String event = null;
    List<String> data = new ArrayList<>();
    boolean sawData = false;
    try (Stream<String> lines = response.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isEmpty()) {
          // a blank line ends an event; one without data (after a comment) dispatches nothing
          if (sawData) {
            events.add(new Event(id, event, String.join("\n", data)));
          }
          sawData = false;
          id = null;
          event = null;
          data = new ArrayList<>();
        } else if (line.startsWith(":")) {
          comments.incrementAndGet();
        } else {
          int colon = line.indexOf(':');
          String field = colon < 0 ? line : line.substring(0, colon);
          String value = colon < 0 ? "" : line.substring(colon + 1);
          if (value.startsWith(" ")) {
            value = value.substring(1);
          }
          switch (field) {
            case "id" -> id = value;
            case "event" -> event = value;
            case "data" -> {
              data.add(value);
              sawData = true;
            }
            default -> {
              // retry and unknown fields are not needed here
            }
          }
        }
      }
      done.complete(null);
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
  }

  /** Waits for the response to end; fails after the deadline. */
  SseStream awaitDone(Duration deadline) {
    try {
      done.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
      return this;
    } catch (Exception e) {
      throw new AssertionError("the stream did not end within " + deadline + "; saw " + events, e);
    }
  }

  List<String> types() {
    return events.stream().map(Event::type).toList();
  }

  List<Long> ids() {
    return events.stream().map(e -> Long.parseLong(e.id())).toList();
  }

  @Override
  public void close() {
    response.body().close();
  }
}
