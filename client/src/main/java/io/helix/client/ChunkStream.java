package io.helix.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.client.SseConnection.Signal;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A run's chunks, in order, from an offset on: {@link HelixClient#stream(String, long)}. Iterate it
 * once (or take it as a {@link #stream()}); {@link Iterator#hasNext()} blocks until the next chunk
 * arrives and answers false after the run's {@link Chunk.RunEnd}, or once {@link #close()}d.
 *
 * <pre>{@code
 * try (ChunkStream chunks = client.stream(runId)) {
 *   for (Chunk chunk : chunks) {
 *     if (chunk instanceof Chunk.TextDelta text) System.out.print(text.delta());
 *   }
 * }
 * }</pre>
 *
 * <p>When the connection drops (a network failure, the server restarting or shutting down, the
 * server cutting off a client that fell behind, or no data, not even a heartbeat, for the idle
 * timeout), it reconnects with {@code Last-Event-ID} set to the last chunk's offset, after a
 * backoff that doubles up to a maximum. It never delivers a chunk twice nor skips one: a chunk
 * whose offset it already passed is dropped. It gives up, throwing a {@link HelixException}, when
 * reconnecting has not succeeded for the give-up time (see {@link HelixClient.Builder}); an error
 * answer of the server (404: no such run; 410: the stream was deleted after its retention; 401) is
 * thrown as a {@link HelixApiException} without retrying. {@link #nextOffset()} is where to resume
 * after either.
 *
 * <p>Not thread-safe, except {@link #close()}, which may be called from any thread and ends a
 * {@code hasNext()} waiting on another.
 */
public final class ChunkStream implements Iterable<Chunk>, AutoCloseable {

  /** The SSE event type of the server's notice that it ended the subscription early. */
  static final String RESUME_EVENT = "resume";

  private final HelixClient client;
  private final Transport transport;
  private final String runId;
  private final CountDownLatch closedSignal = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile SseConnection connection;
  private volatile long next;
  private volatile int reconnects;

  private boolean iterated;
  private boolean ended;
  private Chunk pending;
  private Chunk lastDelivered;
  private int chunksOnConnection;
  private long outageStart = -1;
  private int failures;
  private boolean attempted;

  ChunkStream(HelixClient client, String runId, long fromOffset) {
    if (fromOffset < 0) {
      throw new IllegalArgumentException("fromOffset must not be negative, was " + fromOffset);
    }
    this.client = client;
    this.transport = client.transport();
    this.runId = runId;
    this.next = fromOffset;
  }

  /** The run whose stream this is. */
  public String runId() {
    return runId;
  }

  /** The offset of the next chunk: one past the last delivered, or the start offset before any. */
  public long nextOffset() {
    return next;
  }

  /** How often it has connected again after the first connection. */
  public int reconnects() {
    return reconnects;
  }

  /** The chunks; one iterator per stream. */
  @Override
  public Iterator<Chunk> iterator() {
    if (iterated) {
      throw new IllegalStateException("a ChunkStream can be iterated once");
    }
    iterated = true;
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        if (pending == null && !ended) {
          pending = advance();
        }
        return pending != null;
      }

      @Override
      public Chunk next() {
        if (!hasNext()) {
          throw new NoSuchElementException("the stream of run " + runId + " has ended");
        }
        Chunk chunk = pending;
        pending = null;
        return chunk;
      }
    };
  }

  /** The chunks as a sequential {@link Stream}; closing it closes this. */
  public Stream<Chunk> stream() {
    Spliterator<Chunk> chunks =
        Spliterators.spliteratorUnknownSize(
            iterator(), Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE);
    return StreamSupport.stream(chunks, false).onClose(this::close);
  }

  /** Ends the stream and its connection; a waiting {@code hasNext()} answers false. Idempotent. */
  @Override
  public void close() {
    closed = true;
    closedSignal.countDown();
    SseConnection open = connection;
    if (open != null) {
      open.cancel();
    }
  }

  /** The next chunk, or null when the stream ended or was closed. */
  private Chunk advance() {
    try {
      while (!closed) {
        if (connection == null) {
          connect();
          continue;
        }
        Signal signal = connection.next(transport.streamIdleTimeout);
        if (signal == null) {
          failed(
              new HelixException(
                  "nothing arrived for " + transport.streamIdleTimeout + ", not even a heartbeat"));
        } else if (signal instanceof SseConnection.Comment) {
          recovered();
        } else if (signal instanceof SseConnection.Event event) {
          Chunk chunk = onEvent(event);
          if (chunk != null) {
            return chunk;
          }
        } else if (signal instanceof SseConnection.End) {
          if (endedCleanly()) {
            break;
          }
          failed(new HelixException("the response ended before the run's run_end"));
        } else if (signal instanceof SseConnection.Failed failure) {
          failed(failure.cause());
        }
        // Cancelled: the loop sees closed
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new HelixException("interrupted while following run " + runId, e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    finish();
    return null;
  }

  /** A chunk to deliver, or null for a repeat or another event. */
  private Chunk onEvent(SseConnection.Event event) throws InterruptedException {
    if (RESUME_EVENT.equals(event.type())) {
      failed(new HelixException("the server ended the subscription: " + event.data()));
      return null;
    }
    if (!"message".equals(event.type())) {
      return null;
    }
    Chunk chunk = parse(event);
    if (chunk.seq() < next) {
      return null; // delivered already: a server that resent it
    }
    next = chunk.seq() + 1;
    chunksOnConnection++;
    lastDelivered = chunk;
    recovered();
    if (chunk instanceof Chunk.RunEnd && runId.equals(chunk.runId())) {
      finish();
    }
    return chunk;
  }

  private Chunk parse(SseConnection.Event event) {
    JsonNode json;
    try {
      json = Transport.MAPPER.readTree(event.data());
    } catch (IOException e) {
      throw new HelixException("the stream of run " + runId + " sent an event that is not JSON", e);
    }
    if (!(json instanceof ObjectNode object)) {
      throw new HelixException("the stream of run " + runId + " sent a chunk not an object");
    }
    if (!object.path("seq").canConvertToLong() && event.id() != null) {
      try {
        object.put("seq", Long.parseLong(event.id().trim()));
      } catch (NumberFormatException e) {
        // left without an offset: answered below
      }
    }
    if (!object.path("seq").canConvertToLong()) {
      throw new HelixException("the stream of run " + runId + " sent a chunk without an offset");
    }
    return Chunk.fromJson(object);
  }

  /**
   * Whether a response that ended normally ended the stream: it did after a {@code run_end} (the
   * root's ends the stream), or when it had nothing to send and the run is over (the start offset
   * was past the end).
   */
  private boolean endedCleanly() {
    if (lastDelivered instanceof Chunk.RunEnd) {
      return true;
    }
    if (chunksOnConnection == 0) {
      try {
        return client.result(runId).status().isTerminal();
      } catch (HelixException e) {
        return false;
      }
    }
    return false;
  }

  /** Opens a connection from {@link #next}; on failure, waits its backoff (or gives up). */
  private void connect() throws InterruptedException {
    if (attempted) {
      reconnects++;
    }
    attempted = true;
    SseConnection opened = SseConnection.open(transport.http, transport.streamRequest(runId, next));
    connection = opened;
    if (closed) {
      opened.cancel();
      return;
    }
    Signal head = opened.next(transport.requestTimeout.plus(transport.connectTimeout));
    chunksOnConnection = 0;
    if (head instanceof SseConnection.Opened) {
      return;
    }
    if (head instanceof SseConnection.Rejected rejected) {
      HelixApiException error =
          Transport.apiError(rejected.status(), rejected.headers(), rejected.body());
      if (!retryable(rejected.status())) {
        throw error;
      }
      failed(error);
    } else if (head instanceof SseConnection.Failed failure) {
      failed(failure.cause());
    } else if (head == null) {
      failed(new HelixException("the server did not answer within " + transport.requestTimeout));
    } else {
      drop(); // Cancelled
    }
  }

  /** Server errors and overload pass; other 4xx answers are the request's fault. */
  private static boolean retryable(int status) {
    return status >= 500 || status == 408 || status == 429;
  }

  /**
   * The connection failed: drops it and waits the backoff before the next attempt, or throws once
   * the outage has lasted the give-up time.
   */
  private void failed(Throwable cause) throws InterruptedException {
    drop();
    long now = System.nanoTime();
    if (outageStart < 0) {
      outageStart = now;
      failures = 0;
    }
    Duration giveUp = transport.reconnectGiveUpAfter;
    long left = giveUp.toNanos() - (now - outageStart);
    if (left <= 0) {
      throw new HelixException(
          "gave up following run "
              + runId
              + " at offset "
              + next
              + " after "
              + failures
              + " failed attempts in "
              + giveUp
              + "; last: "
              + cause,
          cause);
    }
    long initial = transport.reconnectInitialBackoff.toNanos();
    long max = transport.reconnectMaxBackoff.toNanos();
    long backoff = initial << Math.min(failures, 20);
    backoff = backoff <= 0 ? max : Math.min(backoff, max);
    backoff = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
    failures++;
    closedSignal.await(Math.min(backoff, left), TimeUnit.NANOSECONDS);
  }

  /** Something arrived: the server is serving; an outage is over. */
  private void recovered() {
    outageStart = -1;
    failures = 0;
  }

  private void drop() {
    SseConnection open = connection;
    connection = null;
    if (open != null) {
      open.cancel();
    }
  }

  private void finish() {
    ended = true;
    drop();
  }
}
