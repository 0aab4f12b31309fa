package io.helix.http;

import com.typesafe.config.Config;
import java.time.Duration;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the HTTP API, from {@code helix.http} (see this module's {@code reference.conf} for
 * the defaults and what each one means).
 *
 * @param host the interface {@link HttpApi#bind(org.apache.pekko.actor.typed.ActorSystem)} listens
 *     on
 * @param port the port {@link HttpApi#bind(org.apache.pekko.actor.typed.ActorSystem)} listens on
 * @param sseHeartbeat how long an SSE stream may be silent before a heartbeat is sent
 * @param resultWaitMax the longest {@code ?wait=} of {@code GET /agent/result/{runId}}
 * @param requestTimeout how long a request may take until its response starts (a long-poll gets its
 *     wait on top)
 * @param maxBodySize the largest request body accepted, in bytes
 * @param bodyReadTimeout how long reading a request body may take
 * @param wsKeepAlive how long a WebSocket may be idle before the server sends a ping frame
 * @param wsMaxChunksPerFrame the most chunks one frame carries for a WebSocket that asked for
 *     batched frames ({@code ?batch=true})
 * @param authTokens the static bearer tokens accepted, {@code name:token} or a bare {@code token}
 *     (principal {@code default}), each at least 32 characters; with no JWT either: no
 *     authentication
 * @param authAdmins principals with the admin scope
 * @param corsAllowedOrigins the origins browsers may call the API from ({@code *}: any); empty: no
 *     CORS headers at all
 */
public record HttpSettings(
    String host,
    int port,
    Duration sseHeartbeat,
    Duration resultWaitMax,
    Duration requestTimeout,
    long maxBodySize,
    Duration bodyReadTimeout,
    Duration wsKeepAlive,
    int wsMaxChunksPerFrame,
    List<String> authTokens,
    List<String> corsAllowedOrigins,
    int backlog,
    int maxConnections,
    List<String> authAdmins,
    Jwt jwt,
    Quotas quotas,
    Tickets tickets) {

  /**
   * What one principal may use of this node (0: no limit): new runs per second, with a burst,
   * streams (SSE and WebSocket) open at once, runs running at once, and the tokens of one run (the
   * most a request's {@code maxTokens} may be, and the budget of a run that asks for none).
   */
  public record Quotas(
      double executePerSecond,
      int executeBurst,
      int streamsPerPrincipal,
      int concurrentRunsPerPrincipal,
      long maxTokensPerRun) {

    public static final Quotas NONE = new Quotas(0, 0, 0, 0, 0);

    /** Quotas without a limit of concurrent runs or of a run's tokens. */
    public Quotas(double executePerSecond, int executeBurst, int streamsPerPrincipal) {
      this(executePerSecond, executeBurst, streamsPerPrincipal, 0, 0);
    }
  }

  /**
   * Stream tickets ({@link StreamTickets}): the HMAC key ({@code secret}, at least 32 characters;
   * empty: one per node) and how long a ticket is valid.
   */
  public record Tickets(String secret, Duration ttl) {

    public static final Tickets DEFAULT = new Tickets("", Duration.ofSeconds(60));

    @Override
    public String toString() {
      return "Tickets[secret=" + (secret.isEmpty() ? "per node" : "***") + ", ttl=" + ttl + "]";
    }
  }

  /**
   * JWT bearer tokens, verified against the keys at {@code jwksUrl} (off when it is empty).
   *
   * @param issuer the {@code iss} a token must have (empty: any)
   * @param audience the {@code aud} a token must include (empty: any)
   * @param principalClaim the claim naming the principal
   * @param scopeClaim the claim with the scopes (space-separated, or a list)
   */
  public record Jwt(
      String jwksUrl, String issuer, String audience, String principalClaim, String scopeClaim) {

    public static final Jwt OFF = new Jwt("", "", "", "sub", "scope");

    public boolean enabled() {
      return !jwksUrl.isBlank();
    }
  }

  public HttpSettings {
    authAdmins = authAdmins == null ? List.of() : List.copyOf(authAdmins);
    jwt = jwt == null ? Jwt.OFF : jwt;
    quotas = quotas == null ? Quotas.NONE : quotas;
    tickets = tickets == null ? Tickets.DEFAULT : tickets;
    authTokens = authTokens == null ? List.of() : List.copyOf(authTokens);
    corsAllowedOrigins = corsAllowedOrigins == null ? List.of() : List.copyOf(corsAllowedOrigins);
    for (String token : authTokens) {
      if (token.isBlank()) {
        throw new IllegalArgumentException("an auth token must not be blank");
      }
    }
    Objects.requireNonNull(host, "host");
    requirePositive(sseHeartbeat, "sse-heartbeat");
    requirePositive(requestTimeout, "request-timeout");
    requirePositive(bodyReadTimeout, "body-read-timeout");
    requirePositive(wsKeepAlive, "ws-keep-alive");
    if (backlog < 1 || maxConnections < 1) {
      throw new IllegalArgumentException("backlog and max-connections must be at least 1");
    }
    if (wsMaxChunksPerFrame < 1) {
      throw new IllegalArgumentException("ws-max-chunks-per-frame must be at least 1");
    }
    Objects.requireNonNull(resultWaitMax, "result-wait-max");
    if (resultWaitMax.isNegative()) {
      throw new IllegalArgumentException("result-wait-max must not be negative");
    }
    if (maxBodySize < 0) {
      throw new IllegalArgumentException("max-body-size must not be negative");
    }
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException("port must be in 0..65535, was " + port);
    }
  }

  /** Reads {@code helix.http} of an application's whole configuration. */
  public static HttpSettings fromConfig(Config config) {
    Config c = config.getConfig("helix.http");
    return new HttpSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getDuration("sse-heartbeat"),
        c.getDuration("result-wait-max"),
        c.getDuration("request-timeout"),
        c.getBytes("max-body-size"),
        c.getDuration("body-read-timeout"),
        c.getDuration("ws-keep-alive"),
        c.getInt("ws-max-chunks-per-frame"),
        list(c, "auth.tokens"),
        list(c, "cors.allowed-origins"),
        c.getInt("backlog"),
        c.getInt("max-connections"),
        list(c, "auth.admins"),
        new Jwt(
            c.getString("auth.jwt.jwks-url"),
            c.getString("auth.jwt.issuer"),
            c.getString("auth.jwt.audience"),
            c.getString("auth.jwt.principal-claim"),
            c.getString("auth.jwt.scope-claim")),
        new Quotas(
            c.getDouble("quotas.execute-per-second"),
            c.getInt("quotas.execute-burst"),
            c.getInt("quotas.streams-per-principal"),
            c.getInt("quotas.concurrent-runs-per-principal"),
            c.getLong("quotas.max-tokens-per-run")),
        new Tickets(c.getString("auth.ticket-secret"), c.getDuration("auth.ticket-ttl")));
  }

  /** These settings, accepting only these bearer tokens (none: authentication off). */
  public HttpSettings withAuthTokens(List<String> tokens) {
    return new HttpSettings(
        host, port, sseHeartbeat, resultWaitMax, requestTimeout, maxBodySize, bodyReadTimeout,
        wsKeepAlive, wsMaxChunksPerFrame, tokens, corsAllowedOrigins, backlog, maxConnections,
        authAdmins, jwt, quotas, tickets);
  }

  /** These settings, with CORS for these origins ({@code *}: any; none: CORS off). */
  public HttpSettings withCorsAllowedOrigins(List<String> origins) {
    return new HttpSettings(
        host, port, sseHeartbeat, resultWaitMax, requestTimeout, maxBodySize, bodyReadTimeout,
        wsKeepAlive, wsMaxChunksPerFrame, authTokens, origins, backlog, maxConnections,
        authAdmins, jwt, quotas, tickets);
  }

  /** These settings, with JWTs verified as {@code value} says. */
  public HttpSettings withJwt(Jwt value) {
    return new HttpSettings(
        host, port, sseHeartbeat, resultWaitMax, requestTimeout, maxBodySize, bodyReadTimeout,
        wsKeepAlive, wsMaxChunksPerFrame, authTokens, corsAllowedOrigins, backlog, maxConnections,
        authAdmins, value, quotas, tickets);
  }

  /** These settings, with these quotas per principal. */
  public HttpSettings withQuotas(Quotas value) {
    return new HttpSettings(
        host, port, sseHeartbeat, resultWaitMax, requestTimeout, maxBodySize, bodyReadTimeout,
        wsKeepAlive, wsMaxChunksPerFrame, authTokens, corsAllowedOrigins, backlog, maxConnections,
        authAdmins, jwt, value, tickets);
  }

  /**
   * Fails when the authentication settings cannot be used (a token shorter than 32 characters, a
   * JWKS URL that is not one), so a server refuses to start with them.
   */
  public void requireUsableAuth() {
    new Authenticator(authTokens, java.util.Set.copyOf(authAdmins), jwt);
  }

  /** Whether requests need a bearer token (static tokens, or JWTs). */
  public boolean authEnabled() {
    return !authTokens.isEmpty() || jwt.enabled();
  }

  /** A list setting given as a HOCON list or as one comma-separated string (e.g. from the env). */
  private static List<String> list(Config c, String path) {
    if (!c.hasPath(path)) {
      return List.of();
    }
    List<String> raw =
        c.getValue(path).valueType() == ConfigValueType.LIST
            ? c.getStringList(path)
            : Arrays.asList(c.getString(path).split(","));
    List<String> values = new ArrayList<>();
    for (String value : raw) {
      if (!value.isBlank()) {
        values.add(value.trim());
      }
    }
    return List.copyOf(values);
  }

  /** No token in {@link #toString()}: settings may be logged. */
  @Override
  public String toString() {
    return "HttpSettings[host=" + host + ", port=" + port + ", auth="
        + (authEnabled() ? authTokens.size() + " token(s)" + (jwt.enabled() ? ", JWT" : "") : "off")
        + ", corsAllowedOrigins=" + corsAllowedOrigins + "]";
  }

  private static void requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
