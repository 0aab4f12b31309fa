package io.helix.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket client of {@code /ws/{streamId}} that checks as it reads, keeping no frames: chunk
 * frames must come with contiguous offsets from its start; it keeps their count and a hash of their
 * text, and the last control frame ({@code stream_end} or {@code resume}).
 */
final class WsSubscriber implements WebSocket.Listener {

  /** What one subscriber saw; {@code failure} names the first broken rule, or is null. */
  record Result(
      long count,
      long hash,
      long next,
      JsonNode control,
      int closeCode,
      String failure) {}

  private final StringBuilder partial = new StringBuilder();
  private long expected;
  private long count;
  private long hash = 1125899906842597L;
  private JsonNode control;
  private String failure;
  final AtomicInteger pings = new AtomicInteger();
  final CompletableFuture<Result> done = new CompletableFuture<>();

  WsSubscriber(long from) {
    this.expected = from;
  }

  static CompletableFuture<WebSocket> connect(
      HttpClient client, URI base, String streamId, long from, WsSubscriber listener) {
    URI uri = URI.create(
        "ws://" + base.getHost() + ":" + base.getPort() + "/ws/" + streamId + "?from=" + from);
    return client
        .newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(20))
        .buildAsync(uri, listener);
  }

  /** The hash a subscriber computes of these chunks' frames. */
  static long hash(java.util.List<io.helix.stream.StreamChunk> chunks) {
    long hash = 1125899906842597L;
    for (io.helix.stream.StreamChunk chunk : chunks) {
      hash = hash(hash, chunk.toJsonString());
    }
    return hash;
  }

  /** A rolling hash of a frame's text, the same as the subscribers compute. */
  static long hash(long hash, CharSequence text) {
    long h = hash;
    for (int i = 0; i < text.length(); i++) {
      h = 31 * h + text.charAt(i);
    }
    return 1_000_003 * h + text.length();
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    // reads as fast as frames come (asking frame by frame costs the client more than the server)
    webSocket.request(Long.MAX_VALUE);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      frame(partial);
      partial.setLength(0);
    }
    return null;
  }

  private void frame(CharSequence text) {
    if (control != null && failure == null) {
      failure = "a frame after the control frame " + control;
    }
    if (startsWith(text, "{\"seq\":")) {
      long seq = 0;
      for (int i = 7; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
        seq = seq * 10 + (text.charAt(i) - '0');
      }
      if (seq != expected && failure == null) {
        failure = "expected offset " + expected + ", got " + seq;
      }
      expected = seq + 1;
      count++;
      hash = hash(hash, text);
    } else {
      control = Json.parse(text.toString());
    }
  }

  private static boolean startsWith(CharSequence text, String prefix) {
    if (text.length() < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (text.charAt(i) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    failure = "a binary frame";
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    pings.incrementAndGet();
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    done.complete(new Result(count, hash, expected, control, statusCode, failure));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    done.completeExceptionally(error);
  }
}
