package io.helix.examples;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.typesafe.config.Config;
import io.helix.agent.Tool;
import io.helix.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code fetch_url} tool: an HTTP GET, limited in size and time, to hosts on an allow-list
 * (empty by default: nothing may be fetched until the operator allows it).
 */
public final class FetchUrl {

  /** The tool's input. */
  public record Request(
      @JsonProperty(required = true) @JsonPropertyDescription("an http or https URL") String url) {}

  /**
   * Settings, from {@code helix.tools.fetch-url}.
   *
   * @param allowHosts host names that may be fetched (exact, case-insensitive)
   */
  public record Settings(Set<String> allowHosts, int maxBytes, Duration timeout) {

    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("helix.tools.fetch-url");
      Set<String> hosts =
          Arrays.stream(c.getString("allow-hosts").split(","))
              .map(h -> h.trim().toLowerCase(Locale.ROOT))
              .filter(h -> !h.isEmpty())
              .collect(Collectors.toUnmodifiableSet());
      return new Settings(hosts, c.getInt("max-bytes"), c.getDuration("timeout"));
    }
  }

  private FetchUrl() {}

  public static Tool tool(Settings settings) {
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(settings.timeout())
            .followRedirects(HttpClient.Redirect.NEVER) // a redirect could leave the allow-list
            .build();
    return Tool.blocking(
        "fetch_url",
        "Fetches a web page by HTTP GET and returns its status and (truncated) text",
        Request.class,
        (input, context) -> fetch(client, settings, input.url(), context.idempotencyKey()));
  }

  /**
   * Sends the call's idempotency key as {@code Idempotency-Key}: a GET is safe anyway, but a
   * server can tell a re-execution after a crash from a new call.
   */
  private static Object fetch(
      HttpClient client, Settings settings, String url, String idempotencyKey) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a URL: " + url);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("only http and https URLs may be fetched");
    }
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    if (!settings.allowHosts().contains(host)) {
      throw new IllegalArgumentException(
          "host '" + host + "' is not allowed (allowed hosts are set by HELIX_FETCH_ALLOW_HOSTS)");
    }
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(settings.timeout())
            .header("Idempotency-Key", idempotencyKey)
            .GET()
            .build();
    try {
      HttpResponse<InputStream> response =
          client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        byte[] bytes = body.readNBytes(settings.maxBytes() + 1);
        boolean truncated = bytes.length > settings.maxBytes();
        int length = Math.min(bytes.length, settings.maxBytes());
        return Json.object()
            .put("url", url)
            .put("status", response.statusCode())
            .put("contentType", response.headers().firstValue("content-type").orElse(""))
            .put("truncated", truncated)
            .put("body", new String(bytes, 0, length, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("fetch failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("fetch interrupted", e);
    }
  }
}
