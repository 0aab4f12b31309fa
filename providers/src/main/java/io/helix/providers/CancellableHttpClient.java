package io.helix.providers;

import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;

/**
 * LangChain4j's HTTP client SPI on the JDK client, adding what its JDK adapter lacks: a streaming
 * exchange is tied to the {@link CallConnection} of its model call, so cancelling the call closes
 * the connection at any stage, and an error answer keeps its {@code Retry-After}. Request headers
 * (which carry the API key) are never logged.
 */
final class CancellableHttpClient implements HttpClient {

  private final java.net.http.HttpClient http;
  private final Duration responseTimeout;
  private final int maxErrorBody;
  private final UnaryOperator<String> requestBody;

  /**
   * @param requestBody a provider's fix to request bodies before they leave (identity for most)
   */
  CancellableHttpClient(
      java.net.http.HttpClient http,
      Duration responseTimeout,
      int maxErrorBody,
      UnaryOperator<String> requestBody) {
    this.http = http;
    this.responseTimeout = responseTimeout;
    this.maxErrorBody = maxErrorBody;
    this.requestBody = requestBody;
  }

  /** A builder for the model builders' {@code httpClientBuilder}; it hands out this one client. */
  HttpClientBuilder asBuilder() {
    CancellableHttpClient client = this;
    return new HttpClientBuilder() {
      // Timeouts are the client's own (see ProviderSettings); the models' defaults are ignored.
      @Override
      public Duration connectTimeout() {
        return http.connectTimeout().orElse(null);
      }

      @Override
      public HttpClientBuilder connectTimeout(Duration timeout) {
        return this;
      }

      @Override
      public Duration readTimeout() {
        return responseTimeout;
      }

      @Override
      public HttpClientBuilder readTimeout(Duration timeout) {
        return this;
      }

      @Override
      public HttpClient build() {
        return client;
      }
    };
  }

  @Override
  public SuccessfulHttpResponse execute(HttpRequest request) {
    try {
      HttpResponse<byte[]> response =
          http.send(toJdkRequest(request), HttpResponse.BodyHandlers.ofByteArray());
      if (!isSuccessful(response.statusCode())) {
        throw failure(response, new String(response.body(), StandardCharsets.UTF_8));
      }
      return SuccessfulHttpResponse.builder()
          .statusCode(response.statusCode())
          .headers(response.headers().map())
          .body(response.body())
          .build();
    } catch (HttpTimeoutException e) {
      throw new TimeoutException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void execute(
      HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
    CallConnection connection = CallConnection.current();
    CompletableFuture<HttpResponse<InputStream>> exchange =
        http.sendAsync(toJdkRequest(request), HttpResponse.BodyHandlers.ofInputStream());
    connection.exchangeStarted(exchange);
    exchange
        .thenAccept(response -> stream(response, parser, listener, connection))
        .exceptionally(
            error -> {
              if (!connection.isClosed()) {
                Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                listener.onError(
                    cause instanceof HttpTimeoutException ? new TimeoutException(cause) : cause);
              }
              return null;
            });
  }

  private void stream(
      HttpResponse<InputStream> response,
      ServerSentEventParser parser,
      ServerSentEventListener listener,
      CallConnection connection) {
    if (!isSuccessful(response.statusCode())) {
      listener.onError(failure(response, readBody(response.body())));
      return;
    }
    InputStream body = response.body();
    if (!connection.bodyArrived(body)) {
      return; // cancelled while waiting for the headers: the body is closed unread
    }
    listener.onOpen(
        SuccessfulHttpResponse.builder()
            .statusCode(response.statusCode())
            .headers(response.headers().map())
            .build());
    try (body) {
      parser.parse(body, new GuardedListener(listener, connection));
    } catch (IOException closing) {
      // the stream is done with either way
    }
    if (!connection.isClosed()) {
      listener.onClose();
    }
  }

  /** Passes events on until the call is cancelled; the read error a cancel causes is not news. */
  private record GuardedListener(ServerSentEventListener listener, CallConnection connection)
      implements ServerSentEventListener {

    @Override
    public void onEvent(ServerSentEvent event, ServerSentEventContext context) {
      if (!connection.isClosed()) {
        listener.onEvent(event, context);
      }
    }

    @Override
    public void onError(Throwable error) {
      if (!connection.isClosed()) {
        listener.onError(error);
      }
    }
  }

  private ProviderHttpException failure(HttpResponse<?> response, String body) {
    return new ProviderHttpException(
        response.statusCode(), truncate(body), retryAfter(response.headers()));
  }

  private String readBody(InputStream body) {
    try (body) {
      return new String(body.readNBytes(maxErrorBody), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(error body unreadable: " + e.getMessage() + ")";
    }
  }

  private String truncate(String body) {
    return body.length() <= maxErrorBody ? body : body.substring(0, maxErrorBody) + "…";
  }

  /** {@code Retry-After} as seconds or an HTTP date (RFC 9110 §10.2.3); absent or unreadable: null. */
  static Duration retryAfter(HttpHeaders headers) {
    String value = headers.firstValue("Retry-After").orElse("").trim();
    if (value.isEmpty()) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration until =
            Duration.between(
                ZonedDateTime.now(), ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
        return until.isNegative() ? Duration.ZERO : until;
      } catch (DateTimeParseException unreadable) {
        return null;
      }
    }
  }

  private java.net.http.HttpRequest toJdkRequest(HttpRequest request) {
    if (!request.formDataFields().isEmpty() || !request.formDataFiles().isEmpty()) {
      throw new UnsupportedOperationException("multipart requests are not used by chat models");
    }
    java.net.http.HttpRequest.Builder builder =
        java.net.http.HttpRequest.newBuilder(URI.create(request.url())).timeout(responseTimeout);
    request
        .headers()
        .forEach(
            (name, values) -> {
              if (values != null) {
                values.forEach(value -> builder.header(name, value));
              }
            });
    builder.method(
        request.method().name(),
        request.body() == null
            ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofString(requestBody.apply(request.body())));
    return builder.build();
  }

  private static boolean isSuccessful(int status) {
    return status >= 200 && status < 300;
  }
}
