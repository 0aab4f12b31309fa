package io.helix.mcp;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Objects;

/**
 * How helix-mcp talks to MCP servers; {@code helix.mcp} in {@code reference.conf} documents each.
 *
 * @param requestTimeout longest wait for one request (tools/list, tools/call), the wait for a
 *     restarting server included
 * @param initializationTimeout longest wait for a server to start and answer {@code initialize}
 * @param restartMinBackoff the pause before the first restart of a server that exited or failed
 * @param restartMaxBackoff the longest pause between restarts; a server up that long starts
 *     again from {@code restartMinBackoff}
 */
public record McpSettings(
    Duration requestTimeout,
    Duration initializationTimeout,
    Duration restartMinBackoff,
    Duration restartMaxBackoff) {

  public McpSettings {
    positive(requestTimeout, "request-timeout");
    positive(initializationTimeout, "initialization-timeout");
    positive(restartMinBackoff, "restart-backoff.min");
    positive(restartMaxBackoff, "restart-backoff.max");
    if (restartMaxBackoff.compareTo(restartMinBackoff) < 0) {
      throw new IllegalArgumentException("helix.mcp.restart-backoff.max must be at least min");
    }
  }

  /** The settings under {@code helix.mcp} of {@code config}. */
  public static McpSettings fromConfig(Config config) {
    Config mcp = config.withFallback(ConfigFactory.defaultReference()).getConfig("helix.mcp");
    return new McpSettings(
        mcp.getDuration("request-timeout"),
        mcp.getDuration("initialization-timeout"),
        mcp.getDuration("restart-backoff.min"),
        mcp.getDuration("restart-backoff.max"));
  }

  /** The settings of the node's configuration ({@code ConfigFactory.load()}). */
  public static McpSettings load() {
    return fromConfig(ConfigFactory.load());
  }

  /** The pause before restart number {@code failures} in a row (from 1). */
  Duration backoff(int failures) {
    long millis = restartMinBackoff.toMillis();
    for (int i = 1; i < failures && millis < restartMaxBackoff.toMillis(); i++) {
      millis *= 2;
    }
    return Duration.ofMillis(Math.min(millis, restartMaxBackoff.toMillis()));
  }

  private static void positive(Duration value, String key) {
    Objects.requireNonNull(value, "helix.mcp." + key);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("helix.mcp." + key + " must be positive, was " + value);
    }
  }
}
