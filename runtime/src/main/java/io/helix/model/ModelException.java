package io.helix.model;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed model call. Retryable failures (rate limits, server and network errors, timeouts) are
 * retried with backoff; the others fail the run.
 */
public class ModelException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final boolean retryable;
  private final Duration retryAfter;

  public ModelException(String message, boolean retryable, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  public static ModelException retryable(String message) {
    return new ModelException(message, true, null, null);
  }

  public static ModelException fatal(String message) {
    return new ModelException(message, false, null, null);
  }

  public boolean retryable() {
    return retryable;
  }

  /** The delay the provider asked for (HTTP {@code Retry-After}), if any. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
