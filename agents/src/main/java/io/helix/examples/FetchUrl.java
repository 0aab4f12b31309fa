package io.helix.examples;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.typesafe.config.Config;
import io.helix.agent.Tool;
import io.helix.agent.ToolContext;
import io.helix.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.io.BasicHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.util.Timeout;

/**
 * The {@code fetch_url} tool: an HTTP GET, limited in size and time, to hosts on an allow-list
 * (empty by default: nothing may be fetched until the operator allows it). Safe against
 * server-side request forgery: the host is resolved and each address checked ({@link
 * AddressGuard}), the connection goes to exactly those addresses (Apache HttpClient's {@code
 * DnsResolver} is pinned to them: no second lookup that DNS rebinding could answer differently),
 * redirects are not followed, and one deadline covers the whole call, body included.
 */
public final class FetchUrl {

  /** The tool's input. */
  public record Request(
      @JsonProperty(required = true) @JsonPropertyDescription("an http or https URL") String url) {}

  /**
   * Settings, from {@code helix.tools.fetch-url}.
   *
   * @param allowHosts hosts that may be fetched: {@code name} (ports 80 and 443), {@code
   *     name:port}, or an address literal (needed to reach a non-public address)
   * @param timeout the deadline of a whole call: connecting, the answer and its body
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

  private static final ScheduledExecutorService DEADLINES =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fetch-url-deadline");
            t.setDaemon(true);
            return t;
          });

  private FetchUrl() {}

  public static Tool tool(Settings settings) {
    AddressGuard guard = new AddressGuard(settings.allowHosts());
    return Tool.blocking(
        "fetch_url",
        "Fetches a web page by HTTP GET and returns its status and (truncated) text",
        Request.class,
        (input, context) -> fetch(guard, settings, input.url(), context));
  }

  /**
   * Sends the call's idempotency key as {@code Idempotency-Key}: a GET is safe anyway, but a
   * server can tell a re-execution after a crash from a new call.
   */
  private static Object fetch(AddressGuard guard, Settings settings, String url, ToolContext context) {
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
    if (uri.getHost() == null || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("a URL with a host and no user info is needed: " + url);
    }
    int defaultPort = scheme.equals("https") ? 443 : 80;
    int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
    List<InetAddress> addresses;
    try {
      addresses = guard.check(uri.getHost(), port, defaultPort);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown host '" + uri.getHost() + "'");
    }
    HttpGet get = new HttpGet(uri);
    get.addHeader("Idempotency-Key", context.idempotencyKey());
    AtomicReference<String> stopped = new AtomicReference<>();
    ScheduledFuture<?> deadline =
        DEADLINES.schedule(
            () -> {
              stopped.compareAndSet(null, "fetch timed out after " + settings.timeout().toMillis() + " ms");
              get.cancel();
            },
            settings.timeout().toMillis(),
            TimeUnit.MILLISECONDS);
    context.cancellation().thenAccept(reason -> {
      stopped.compareAndSet(null, "fetch cancelled: " + reason);
      get.cancel();
    });
    try (CloseableHttpClient client = client(uri.getHost(), addresses, settings.timeout())) {
      return client.execute(get, response -> {
        HttpEntity entity = response.getEntity();
        byte[] bytes;
        try (InputStream body = entity == null ? InputStream.nullInputStream() : entity.getContent()) {
          bytes = body.readNBytes(settings.maxBytes() + 1);
        }
        boolean truncated = bytes.length > settings.maxBytes();
        int length = Math.min(bytes.length, settings.maxBytes());
        Header type = response.getFirstHeader("Content-Type");
        return Json.object()
            .put("url", url)
            .put("status", response.getCode())
            .put("contentType", type == null ? "" : type.getValue())
            .put("truncated", truncated)
            .put("body", new String(bytes, 0, length, StandardCharsets.UTF_8));
      });
    } catch (IOException e) {
      String why = stopped.get();
      throw new UncheckedIOException(why != null ? why : "fetch failed: " + e.getMessage(), e);
    } finally {
      deadline.cancel(false);
    }
  }

  /** A client that connects to {@code addresses} for {@code host} and nowhere else. */
  private static CloseableHttpClient client(String host, List<InetAddress> addresses, Duration timeout) {
    InetAddress[] pinned = addresses.toArray(InetAddress[]::new);
    DnsResolver resolver =
        new DnsResolver() {
          @Override
          public InetAddress[] resolve(String name) throws UnknownHostException {
            if (!name.equalsIgnoreCase(host) && !name.equalsIgnoreCase("[" + host + "]")) {
              throw new UnknownHostException(name + " was not checked");
            }
            return pinned.clone();
          }

          @Override
          public String resolveCanonicalHostname(String name) {
            return name;
          }
        };
    BasicHttpClientConnectionManager connections =
        BasicHttpClientConnectionManager.create(
            DefaultSchemePortResolver.INSTANCE,
            resolver,
            // certificates are checked against the host name, though the address is pinned
            RegistryBuilder.<TlsSocketStrategy>create()
                .register(URIScheme.HTTPS.id, DefaultClientTlsStrategy.createDefault())
                .build(),
            ManagedHttpClientConnectionFactory.INSTANCE);
    connections.setConnectionConfig(
        ConnectionConfig.custom()
            .setConnectTimeout(Timeout.of(timeout))
            .setSocketTimeout(Timeout.of(timeout))
            .build());
    return HttpClients.custom()
        .setConnectionManager(connections)
        .disableRedirectHandling() // a redirect could lead past the checks
        .disableAutomaticRetries()
        .disableCookieManagement()
        .build();
  }
}
