package io.helix.agent;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Blocking tool code on the tool context's blocking executor, stopped for real when the call is
 * cancelled (the run aborted or moved, the call timed out): a call cancelled before its turn never
 * starts, and one that is running is interrupted (code blocked in I/O or a sleep, or checking
 * {@link Thread#isInterrupted()}, stops). The interrupt never leaks into the next task of the
 * executor's thread.
 */
final class BlockingCall<T> implements Runnable {

  private final Supplier<T> work;
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private final Object lock = new Object();
  private Thread runner; // guarded by lock

  private BlockingCall(Supplier<T> work) {
    this.work = work;
  }

  static <T> CompletableFuture<T> start(Supplier<T> work, ToolContext context) {
    BlockingCall<T> call = new BlockingCall<>(work);
    context.cancellation().thenAccept(call::cancel);
    context.blockingExecutor().execute(call);
    return call.result;
  }

  @Override
  public void run() {
    synchronized (lock) {
      if (result.isDone()) {
        return; // cancelled while it waited for a thread: it never starts
      }
      runner = Thread.currentThread();
    }
    try {
      result.complete(work.get());
    } catch (Throwable e) {
      result.completeExceptionally(e);
    } finally {
      synchronized (lock) {
        runner = null;
        Thread.interrupted(); // a cancel that came as it ended must not reach the next task
      }
    }
  }

  private void cancel(String reason) {
    synchronized (lock) {
      if (result.completeExceptionally(new CancellationException(reason)) && runner != null) {
        runner.interrupt();
      }
    }
  }
}
