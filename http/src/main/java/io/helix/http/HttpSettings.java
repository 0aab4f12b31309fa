package io.helix.http;

import com.typesafe.config.Config;
import java.time.Duration;
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
 */
public record HttpSettings(
    String host,
    int port,
    Duration sseHeartbeat,
    Duration resultWaitMax,
    Duration requestTimeout,
    long maxBodySize,
    Duration bodyReadTimeout,
    Duration wsKeepAlive) {

  /** The settings with the default WebSocket keep-alive (15 s). */
  public HttpSettings(
      String host,
      int port,
      Duration sseHeartbeat,
      Duration resultWaitMax,
      Duration requestTimeout,
      long maxBodySize,
      Duration bodyReadTimeout) {
    this(
        host,
        port,
        sseHeartbeat,
        resultWaitMax,
        requestTimeout,
        maxBodySize,
        bodyReadTimeout,
        Duration.ofSeconds(15));
  }

  public HttpSettings {
    Objects.requireNonNull(host, "host");
    requirePositive(sseHeartbeat, "sse-heartbeat");
    requirePositive(requestTimeout, "request-timeout");
    requirePositive(bodyReadTimeout, "body-read-timeout");
    requirePositive(wsKeepAlive, "ws-keep-alive");
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
        c.getDuration("ws-keep-alive"));
  }

  private static void requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
