package io.helix.providers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.NonRetriableException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.exception.UnresolvedModelServerException;
import dev.langchain4j.model.anthropic.internal.api.AnthropicStreamingException;
import io.helix.json.Json;
import io.helix.model.ModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionException;

/**
 * Classifies a provider's failure for the run's retry policy: rate limits (with their {@code
 * Retry-After}), server errors, timeouts and network errors are retryable; authentication, bad
 * requests and unknown models are not. Messages carry the provider's own error text, never a
 * secret.
 */
final class ProviderErrors {

  private static final int TOO_MANY_REQUESTS = 429;
  private static final int REQUEST_TIMEOUT = 408;
  private static final int UNAUTHORIZED = 401;
  private static final int FORBIDDEN = 403;
  private static final int NOT_FOUND = 404;
  private static final int SERVER_ERRORS = 500;

  private final String provider;
  private final Secret secret;
  private final int maxErrorText;

  ProviderErrors(String provider, Secret secret, int maxErrorText) {
    this.provider = provider;
    this.secret = secret;
    this.maxErrorText = maxErrorText;
  }

  ModelException classify(Throwable failure) {
    Throwable error = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
    if (error instanceof ModelException known) {
      return known;
    }
    HttpException http = find(error, HttpException.class);
    if (http != null) {
      return fromStatus(http, error);
    }
    AnthropicStreamingException streamed = find(error, AnthropicStreamingException.class);
    if (streamed != null) {
      return fromErrorType(streamed.type(), streamed.getMessage(), error);
    }
    if (find(error, TimeoutException.class) != null || find(error, HttpTimeoutException.class) != null) {
      return exception("timed out", true, null, error);
    }
    if (find(error, UnresolvedModelServerException.class) != null
        || find(error, IOException.class) != null
        || find(error, UncheckedIOException.class) != null) {
      return exception("network error: " + describe(rootCause(error)), true, null, error);
    }
    if (error instanceof IllegalArgumentException || error instanceof NonRetriableException) {
      return exception("invalid request: " + describe(error), false, null, error);
    }
    if (error instanceof RetriableException) {
      return exception(describe(error), true, null, error);
    }
    // An error event inside a stream (OpenAI sends {"error": {...}} as an SSE event).
    JsonNode body = parseJson(error.getMessage());
    if (body != null && body.has("error")) {
      JsonNode detail = body.get("error");
      String type = detail.path("type").asText(detail.path("code").asText(""));
      return fromErrorType(type, errorText(error.getMessage()), error);
    }
    // unknown: taken for a transient failure, like the runtime does; attempts stay bounded
    return exception(describe(error), true, null, error);
  }

  private ModelException fromStatus(HttpException http, Throwable error) {
    int status = http.statusCode();
    String text = errorText(http.getMessage());
    Duration retryAfter =
        http instanceof ProviderHttpException withHeaders ? withHeaders.retryAfter().orElse(null) : null;
    if (status == TOO_MANY_REQUESTS) {
      return exception("rate limited (HTTP 429): " + text, true, retryAfter, error);
    }
    if (status >= SERVER_ERRORS || status == REQUEST_TIMEOUT) {
      return exception("server error (HTTP " + status + "): " + text, true, retryAfter, error);
    }
    if (status == UNAUTHORIZED || status == FORBIDDEN) {
      return exception(
          "authentication failed (HTTP " + status + "), check the API key: " + text, false, null, error);
    }
    if (status == NOT_FOUND) {
      return exception("not found (HTTP 404), check the model and base URL: " + text, false, null, error);
    }
    return exception("request rejected (HTTP " + status + "): " + text, false, null, error);
  }

  /** Error types of Anthropic's and OpenAI's error events. */
  private ModelException fromErrorType(String type, String text, Throwable error) {
    String kind = type == null ? "" : type.toLowerCase(Locale.ROOT);
    boolean fatal =
        kind.contains("invalid_request")
            || kind.contains("authentication")
            || kind.contains("permission")
            || kind.contains("not_found");
    return exception("error in stream (" + type + "): " + text, !fatal, null, error);
  }

  private ModelException exception(
      String message, boolean retryable, Duration retryAfter, Throwable cause) {
    // the cause is dropped on purpose: its message may hold what the provider echoed back
    return new ModelException(secret.redact(provider + ": " + message), retryable, retryAfter, null);
  }

  /** The readable part of an error body: {@code error.message} where there is one. */
  String errorText(String body) {
    if (body == null || body.isBlank()) {
      return "(no error text)";
    }
    JsonNode json = parseJson(body);
    String text = body.strip();
    if (json != null) {
      JsonNode error = json.path("error");
      if (error.path("message").isTextual()) {
        String type = error.path("type").asText(error.path("status").asText(""));
        text = (type.isEmpty() ? "" : type + ": ") + error.get("message").asText();
      } else if (error.isTextual()) {
        text = error.asText();
      } else if (json.path("message").isTextual()) {
        text = json.get("message").asText();
      }
    }
    return text.length() <= maxErrorText ? text : text.substring(0, maxErrorText) + "…";
  }

  private static JsonNode parseJson(String text) {
    if (text == null || !text.strip().startsWith("{")) {
      return null;
    }
    try {
      return Json.parse(text);
    } catch (IllegalArgumentException notJson) {
      return null;
    }
  }

  private static <T extends Throwable> T find(Throwable error, Class<T> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static Throwable rootCause(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static String describe(Throwable error) {
    return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
  }
}
