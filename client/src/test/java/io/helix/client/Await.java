package io.helix.client;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition, up to a deadline: tests wait on what they expect, never a fixed time. */
final class Await {

  private Await() {}

  static void until(BooleanSupplier condition, Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + deadline);
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(5); // polling the condition, not waiting a time for something to happen
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
