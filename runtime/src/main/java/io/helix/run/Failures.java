package io.helix.run;

import java.util.concurrent.CompletionException;

/** How the run reads the failures of futures: what failed, and in words. */
final class Failures {

  private Failures() {}

  /** The failure inside the {@link CompletionException}s a future wraps it in. */
  static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** The failure's message, or its class's name when it has none. */
  static String describe(Throwable cause) {
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}
