package io.helix.providers;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The HTTP exchange of one model call, so that cancelling the call closes its connection whatever
 * stage it is at: before the response headers (the pending exchange is cancelled), and after them
 * (the body stream is closed), not only once the first delta has given LangChain4j's handle.
 *
 * <p>LangChain4j starts the exchange on the thread that calls {@code chat}, so the call makes its
 * connection current for that thread while it calls in, and the HTTP client picks it up there.
 */
final class CallConnection {

  private static final ThreadLocal<CallConnection> CURRENT = new ThreadLocal<>();

  private Future<?> exchange;
  private InputStream body;
  private boolean closed;

  /** Runs {@code start} with this connection current on the calling thread. */
  <T> T open(Supplier<T> start) {
    CallConnection previous = CURRENT.get();
    CURRENT.set(this);
    try {
      return start.get();
    } finally {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }

  /** The connection of the call starting on this thread; a detached one when there is none. */
  static CallConnection current() {
    CallConnection connection = CURRENT.get();
    return connection == null ? new CallConnection() : connection;
  }

  /** Remembers the pending exchange; cancels it at once when the call was already closed. */
  synchronized void exchangeStarted(Future<?> pending) {
    if (closed) {
      pending.cancel(true);
    } else {
      exchange = pending;
    }
  }

  /**
   * Remembers the response body; returns false (and closes it) when the call was closed meanwhile.
   */
  boolean bodyArrived(InputStream stream) {
    synchronized (this) {
      if (!closed) {
        body = stream;
        return true;
      }
    }
    closeQuietly(stream);
    return false;
  }

  synchronized boolean isClosed() {
    return closed;
  }

  /** Closes the connection at whatever stage it is. Idempotent. */
  void close() {
    Future<?> pending;
    InputStream stream;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      pending = exchange;
      stream = body;
    }
    if (pending != null) {
      pending.cancel(true);
    }
    if (stream != null) {
      closeQuietly(stream);
    }
  }

  private static void closeQuietly(InputStream stream) {
    try {
      stream.close();
    } catch (IOException ignored) {
      // closing is all we want; a failure to close leaves nothing to do
    }
  }
}
