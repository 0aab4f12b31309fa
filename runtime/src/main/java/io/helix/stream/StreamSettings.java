package io.helix.stream;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of {@link StreamEntity}, from {@code helix.stream}.
 *
 * @param idleTimeout how long a stream without subscribers and appends stays in memory
 * @param subscriberBuffer chunks buffered per subscriber before it is disconnected as too slow
 */
public record StreamSettings(Duration idleTimeout, int subscriberBuffer) {

  public static StreamSettings fromConfig(Config helix) {
    Config c = helix.getConfig("stream");
    return new StreamSettings(c.getDuration("idle-timeout"), c.getInt("subscriber-buffer"));
  }
}
