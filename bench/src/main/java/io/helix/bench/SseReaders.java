package io.helix.bench;

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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SSE subscribers on plain sockets, all read by one selector thread (so that thousands cost the
 * server's cores little): each reads {@code GET /agent/stream/{runId}} until the server closes, and
 * records for each {@link StreamingModel} token in a {@code text_delta} event how long it took from
 * the model to here.
 */
final class SseReaders implements AutoCloseable {

  private static final Pattern TOKEN =
      Pattern.compile(StreamingModel.TOKEN_PREFIX + "(\\d{10,}) ");

  /** One subscriber's state. */
  private static final class Reader {
    final StringBuilder pending = new StringBuilder();
    boolean ok;
    int tokens;
    boolean closed;
  }

  private final Selector selector = Selector.open();
  private final ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
  private final List<Reader> readers = new ArrayList<>();
  private final AtomicInteger open = new AtomicInteger();
  private final java.util.Queue<SocketChannel> arriving =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean stopped;
  // token delays in microseconds, appended by the reader thread only
  private long[] delays = new long[1 << 16];
  private int count;

  SseReaders() throws IOException {
    thread = new Thread(this::loop, "sse-readers");
    thread.setDaemon(true);
    thread.start();
  }

  /** Opens a subscriber of the run's stream; the reader thread takes it on. */
  void subscribe(URI base, String runId) throws IOException {
    SocketChannel channel =
        SocketChannel.open(new InetSocketAddress(base.getHost(), base.getPort()));
    channel.write(
        ByteBuffer.wrap(
            ("GET /agent/stream/" + runId + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\n"
                    + "Accept: text/event-stream\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
    channel.configureBlocking(false);
    open.incrementAndGet();
    arriving.add(channel);
    selector.wakeup();
  }

  private void register() throws IOException {
    for (SocketChannel channel = arriving.poll(); channel != null; channel = arriving.poll()) {
      Reader reader = new Reader();
      readers.add(reader);
      channel.register(selector, SelectionKey.OP_READ, reader);
    }
  }

  /** Subscribers whose response has not ended yet. */
  int open() {
    return open.get();
  }

  /** Waits for the reader thread to stop, then: subscribers that got a non-200 or too few tokens. */
  int errors(int tokensPerRun) throws InterruptedException {
    stopped = true;
    selector.wakeup();
    thread.join(10_000);
    int errors = arriving.size();
    for (Reader reader : readers) {
      if (!reader.ok || reader.tokens != tokensPerRun) {
        errors++;
      }
    }
    return errors;
  }

  /** The token delays seen, in microseconds (after {@link #errors}). */
  long[] delays() {
    return java.util.Arrays.copyOf(delays, count);
  }

  private void loop() {
    try {
      while (!stopped) {
        register();
        selector.select(100);
        for (SelectionKey key : selector.selectedKeys()) {
          Reader reader = (Reader) key.attachment();
          buffer.clear();
          int read = ((SocketChannel) key.channel()).read(buffer);
          long now = System.nanoTime();
          if (read < 0) {
            key.cancel();
            key.channel().close();
            reader.closed = true;
            open.decrementAndGet();
            continue;
          }
          reader.pending.append(new String(buffer.array(), 0, read, StandardCharsets.ISO_8859_1));
          parse(reader, now);
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the complete events (each ends with a blank line) of what the reader has. */
  private void parse(Reader reader, long now) {
    StringBuilder pending = reader.pending;
    if (!reader.ok && pending.indexOf("\r\n") > 0) {
      reader.ok = pending.indexOf("HTTP/1.1 200") == 0;
    }
    int end;
    while ((end = pending.indexOf("\n\n")) >= 0) {
      String event = pending.substring(0, end);
      pending.delete(0, end + 2);
      if (event.contains("\"type\":\"text_delta\"")) {
        Matcher token = TOKEN.matcher(event);
        while (token.find()) {
          reader.tokens++;
          record((now - Long.parseLong(token.group(1))) / 1000);
        }
      }
    }
  }

  private void record(long micros) {
    if (count == delays.length) {
      delays = java.util.Arrays.copyOf(delays, count * 2);
    }
    delays[count++] = micros;
  }

  @Override
  public void close() throws IOException {
    stopped = true;
    for (SelectionKey key : selector.keys()) {
      key.channel().close();
    }
    selector.close();
  }
}
