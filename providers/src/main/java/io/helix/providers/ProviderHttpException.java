package io.helix.providers;

import dev.langchain4j.exception.HttpException;
import java.time.Duration;
import java.util.Optional;

/**
 * A provider's HTTP error answer. LangChain4j's own exception keeps only the status and body; this
 * one also keeps the {@code Retry-After} delay a rate limit may carry.
 */
final class ProviderHttpException extends HttpException {

  private static final long serialVersionUID = 1L;

  private final transient Duration retryAfter;

  ProviderHttpException(int statusCode, String body, Duration retryAfter) {
    super(statusCode, body);
    this.retryAfter = retryAfter;
  }

  Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
