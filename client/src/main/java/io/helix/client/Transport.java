package io.helix.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** The HTTP exchanges of a {@link HelixClient}, and its settings. */
final class Transport {

  static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  final URI baseUri;
  private final String authorization;
  final HttpClient http;
  final Duration connectTimeout;
  final Duration requestTimeout;
  final Duration streamIdleTimeout;
  final Duration reconnectInitialBackoff;
  final Duration reconnectMaxBackoff;
  final Duration reconnectGiveUpAfter;

  Transport(HelixClient.Builder b) {
    String base = b.baseUri.toString();
    this.baseUri = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    this.authorization = b.bearerToken == null ? null : "Bearer " + b.bearerToken;
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
    this.streamIdleTimeout = b.streamIdleTimeout;
    this.reconnectInitialBackoff = b.reconnectInitialBackoff;
    this.reconnectMaxBackoff = b.reconnectMaxBackoff;
    this.reconnectGiveUpAfter = b.reconnectGiveUpAfter;
    this.http =
        b.httpClient != null
            ? b.httpClient
            : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
  }

  <T> T get(String path, Map<String, String> query, Function<JsonNode, T> read) {
    return call("GET", path, query, null, requestTimeout, read);
  }

  <T> T post(String path, JsonNode body, Function<JsonNode, T> read) {
    return call("POST", path, Map.of(), body, requestTimeout, read);
  }

  <T> T call(
      String method,
      String path,
      Map<String, String> query,
      JsonNode body,
      Duration timeout,
      Function<JsonNode, T> read) {
    HttpRequest.Builder request =
        request(path, query).timeout(timeout).header("Accept", "application/json");
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new HelixException(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HelixException("interrupted during " + method + " " + path, e);
    }
    if (response.statusCode() / 100 != 2) {
      throw apiError(response.statusCode(), response.headers(), response.body());
    }
    try {
      return read.apply(MAPPER.readTree(response.body()));
    } catch (IOException e) {
      throw new HelixException(method + " " + path + " answered what is not JSON", e);
    }
  }

  /** The GET of a run's SSE stream, resuming after the chunk before {@code from}. */
  HttpRequest streamRequest(String runId, long from) {
    HttpRequest.Builder request =
        request(runPath("stream", runId), Map.of())
            .timeout(requestTimeout)
            .header("Accept", "text/event-stream")
            .header("Cache-Control", "no-cache")
            .GET();
    if (from > 0) {
      request.header("Last-Event-ID", Long.toString(from - 1));
    }
    return request.build();
  }

  private HttpRequest.Builder request(String path, Map<String, String> query) {
    StringBuilder uri = new StringBuilder(baseUri.toString()).append(path);
    char separator = '?';
    for (Map.Entry<String, String> parameter : query.entrySet()) {
      uri.append(separator).append(encode(parameter.getKey())).append('=');
      uri.append(encode(parameter.getValue()));
      separator = '&';
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri.toString()));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return request;
  }

  static String runPath(String operation, String runId) {
    return "/agent/" + operation + "/" + encode(Objects.requireNonNull(runId, "runId"));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** An error answer as the exception: its problem document's fields, or its status and text. */
  static HelixApiException apiError(int status, HttpHeaders headers, byte[] body) {
    String requestId = headers.firstValue("X-Request-Id").orElse(null);
    String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
    JsonNode problem = null;
    if (headers.firstValue("Content-Type").orElse("").contains("json")) {
      try {
        problem = MAPPER.readTree(text);
      } catch (IOException e) {
        // not a problem document: answered from the text below
      }
    }
    if (problem != null && problem.isObject()) {
      return new HelixApiException(
          problem.path("status").asInt(status),
          Chunks.text(problem, "type"),
          Objects.requireNonNullElse(Chunks.text(problem, "title"), "HTTP " + status),
          Chunks.text(problem, "detail"),
          requestId,
          problem);
    }
    String detail = text.length() > 500 ? text.substring(0, 500) + "..." : text;
    return new HelixApiException(
        status, HelixApiException.ABOUT_BLANK, "HTTP " + status, detail, requestId, null);
  }
}
