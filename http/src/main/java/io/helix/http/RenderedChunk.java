package io.helix.http;

import io.helix.stream.StreamChunk;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.util.ByteString;

/**
 * A chunk with what it looks like on the wire, each form rendered at most once however many
 * subscribers it goes to: the bytes of its SSE event, its WebSocket text frame's message.
 */
final class RenderedChunk {

  private final StreamChunk chunk;
  private final LongAdder renders;
  private ByteString sse;
  private String frame;

  /** {@code renders} counts the forms rendered (a hub's whole fan-out shares one counter). */
  RenderedChunk(StreamChunk chunk, LongAdder renders) {
    this.chunk = chunk;
    this.renders = renders;
  }

  StreamChunk chunk() {
    return chunk;
  }

  long seq() {
    return chunk.seq();
  }

  /**
   * The SSE event: {@code data} the chunk's JSON, {@code id} its offset (the lines Pekko's {@code
   * ServerSentEvent} renders, in its order).
   */
  synchronized ByteString sse() {
    if (sse == null) {
      renders.increment();
      sse = sseEvent(chunk.toJsonString(), null, Long.toString(chunk.seq()));
    }
    return sse;
  }

  /**
   * The WebSocket text frame of a frame-per-chunk subscriber: the chunk's JSON, rendered once; each
   * connection gets a message of its own around it (a message is a connection's to render).
   */
  Message frame() {
    return TextMessage.create(json());
  }

  private synchronized String json() {
    if (frame == null) {
      renders.increment();
      frame = chunk.toJsonString();
    }
    return frame;
  }

  /** An SSE event's bytes: a {@code data} line per line, an {@code event} line, an id line. */
  static ByteString sseEvent(String data, String type, String id) {
    StringBuilder event = new StringBuilder(data.length() + 32);
    for (String line : data.split("\r\n|\r|\n", -1)) {
      event.append("data:").append(line).append('\n');
    }
    if (type != null) {
      event.append("event:").append(type).append('\n');
    }
    if (id != null) {
      event.append("id:").append(id).append('\n');
    }
    return ByteString.fromString(event.append('\n').toString());
  }
}
