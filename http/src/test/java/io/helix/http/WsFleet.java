package io.helix.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many WebSocket subscribers of {@code /ws/{streamId}} on plain sockets, read by one selector
 * thread: a lean client, so that a thousand of them leave the cores to the server under test.
 * Each checks its stream as it reads, keeping no frames: chunk frames must come with contiguous
 * offsets from its start; it keeps their count, a hash of their bytes, the last control frame and
 * the close code. It speaks the protocol's client side: a real upgrade handshake, and a masked
 * close frame to answer the server's.
 */
final class WsFleet implements AutoCloseable {

  /** What one subscriber saw; {@code failure} names the first broken rule, or is null. */
  record Result(long count, long hash, JsonNode control, int closeCode, String failure) {}

  private static final byte[] SEQ = "{\"seq\":".getBytes(StandardCharsets.US_ASCII);

  /** A client's close frame, code 1000, masked with a zero key. */
  private static final byte[] CLOSE_1000 = {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xE8};

  private final Selector selector = Selector.open();
  private final List<Subscriber> subscribers = new ArrayList<>();
  private final AtomicInteger open = new AtomicInteger();
  final CompletableFuture<List<Result>> done = new CompletableFuture<>();
  private final Thread reader;

  private static final class Subscriber {
    final SocketChannel channel;
    final ByteBuffer buffer = ByteBuffer.allocate(512 * 1024);
    long expected;
    long count;
    long hash = WsFleet.HASH_SEED;
    JsonNode control;
    int closeCode = -1;
    String failure;
    Result result;

    Subscriber(SocketChannel channel, long from) {
      this.channel = channel;
      this.expected = from;
    }
  }

  static final long HASH_SEED = 1125899906842597L;

  /** The hash the subscribers compute, over a frame's UTF-8 bytes. */
  static long hash(long hash, byte[] bytes, int from, int to) {
    long h = hash;
    for (int i = from; i < to; i++) {
      h = 31 * h + bytes[i];
    }
    return 1_000_003 * h + (to - from);
  }

  static long hash(long hash, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return hash(hash, bytes, 0, bytes.length);
  }

  /** Opens {@code count} subscribers to {@code /ws/streamId?from=from}. */
  WsFleet(URI base, String streamId, long from, int count) throws IOException {
    // every connection attempt at once, as a crowd arrives: the server's accept backlog must hold it
    List<SocketChannel> connecting = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SocketChannel channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.connect(new InetSocketAddress(base.getHost(), base.getPort()));
      connecting.add(channel);
    }
    for (SocketChannel channel : connecting) {
      channel.configureBlocking(true);
      channel.finishConnect();
      sendUpgrade(channel, base, "/ws/" + streamId + "?from=" + from);
      subscribers.add(new Subscriber(channel, from));
    }
    // the heads, then every socket to the selector
    for (Subscriber subscriber : subscribers) {
      readHead(subscriber.channel, subscriber.buffer);
      subscriber.channel.configureBlocking(false);
      subscriber.channel.register(selector, SelectionKey.OP_READ, subscriber);
      open.incrementAndGet();
    }
    reader = new Thread(this::read, "ws-fleet");
    reader.setDaemon(true);
    reader.start();
  }

  /** A socket to the server that has sent a WebSocket upgrade request for {@code path}. */
  static SocketChannel requestUpgrade(URI base, String path) throws IOException {
    SocketChannel channel =
        SocketChannel.open(new InetSocketAddress(base.getHost(), base.getPort()));
    sendUpgrade(channel, base, path);
    return channel;
  }

  private static void sendUpgrade(SocketChannel channel, URI base, String path) throws IOException {
    String request =
        "GET " + path + " HTTP/1.1\r\n"
            + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
            + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";
    channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
  }

  /**
   * Reads the upgrade's answer up to the end of its head (a blocking channel), which must be a
   * 101; the bytes after it stay in the buffer.
   */
  static void readHead(SocketChannel channel, ByteBuffer buffer) throws IOException {
    while (true) {
      if (channel.read(buffer) < 0) {
        throw new IOException("closed during the handshake");
      }
      for (int i = 3; i < buffer.position(); i++) {
        if (buffer.get(i - 3) == '\r' && buffer.get(i - 2) == '\n'
            && buffer.get(i - 1) == '\r' && buffer.get(i) == '\n') {
          String head = new String(buffer.array(), 0, i, StandardCharsets.US_ASCII);
          if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + head);
          }
          buffer.flip();
          buffer.position(i + 1);
          buffer.compact();
          return;
        }
      }
    }
  }

  private void read() {
    try {
      // first the bytes read with the heads
      for (Subscriber subscriber : subscribers) {
        frames(subscriber);
      }
      while (open.get() > 0) {
        selector.select(200);
        for (SelectionKey key : selector.selectedKeys()) {
          Subscriber subscriber = (Subscriber) key.attachment();
          if (subscriber.result != null) {
            continue;
          }
          int read = subscriber.channel.read(subscriber.buffer);
          frames(subscriber);
          if (read < 0 && subscriber.result == null) {
            finish(subscriber, "the connection ended without a close frame");
          }
        }
        selector.selectedKeys().clear();
      }
      List<Result> results = new ArrayList<>();
      for (Subscriber subscriber : subscribers) {
        results.add(subscriber.result);
      }
      done.complete(results);
    } catch (Exception e) {
      done.completeExceptionally(e);
    }
  }

  /** Handles the complete frames in the subscriber's buffer. */
  private void frames(Subscriber s) throws IOException {
    ByteBuffer buffer = s.buffer;
    buffer.flip();
    while (buffer.remaining() >= 2 && s.result == null) {
      int start = buffer.position();
      int b0 = buffer.get(start) & 0xFF;
      int b1 = buffer.get(start + 1) & 0xFF;
      long length = b1 & 0x7F;
      int header = 2;
      if (length == 126) {
        if (buffer.remaining() < 4) {
          break;
        }
        length = ((buffer.get(start + 2) & 0xFF) << 8) | (buffer.get(start + 3) & 0xFF);
        header = 4;
      } else if (length == 127) {
        if (buffer.remaining() < 10) {
          break;
        }
        length = buffer.getLong(start + 2);
        header = 10;
      }
      if ((b1 & 0x80) != 0 || (b0 & 0x80) == 0) {
        fail(s, "a masked or fragmented frame from the server");
      }
      if (buffer.remaining() < header + length) {
        break;
      }
      int from = start + header;
      int to = (int) (from + length);
      int opcode = b0 & 0x0F;
      if (opcode == 1) {
        text(s, buffer.array(), from, to);
      } else if (opcode == 8) {
        s.closeCode =
            length >= 2
                ? ((buffer.get(from) & 0xFF) << 8) | (buffer.get(from + 1) & 0xFF)
                : 1005;
        // answer the close (masked, as a client must), then hang up
        s.channel.write(ByteBuffer.wrap(CLOSE_1000));
        finish(s, null);
      } else if (opcode != 9 && opcode != 10) {
        fail(s, "an unexpected frame, opcode " + opcode);
      }
      buffer.position(to);
    }
    buffer.compact();
  }

  private void text(Subscriber s, byte[] bytes, int from, int to) {
    if (s.control != null) {
      fail(s, "a frame after the control frame " + s.control);
    }
    if (startsWith(bytes, from, to, SEQ)) {
      long seq = 0;
      for (int i = from + SEQ.length; i < to && Character.isDigit(bytes[i]); i++) {
        seq = seq * 10 + (bytes[i] - '0');
      }
      if (seq != s.expected) {
        fail(s, "expected offset " + s.expected + ", got " + seq);
      }
      s.expected = seq + 1;
      s.count++;
      s.hash = hash(s.hash, bytes, from, to);
    } else {
      s.control = Json.parse(new String(bytes, from, to - from, StandardCharsets.UTF_8));
    }
  }

  private static boolean startsWith(byte[] bytes, int from, int to, byte[] prefix) {
    if (to - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static void fail(Subscriber s, String failure) {
    if (s.failure == null) {
      s.failure = failure;
    }
  }

  private void finish(Subscriber s, String failure) throws IOException {
    fail(s, failure);
    s.result = new Result(s.count, s.hash, s.control, s.closeCode, s.failure);
    s.channel.close();
    open.decrementAndGet();
  }

  @Override
  public void close() throws IOException {
    open.set(0);
    selector.wakeup();
    try {
      reader.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Subscriber subscriber : subscribers) {
      subscriber.channel.close();
    }
    selector.close();
  }
}
