package io.helix.providers;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How the providers' HTTP clients behave ({@code helix.providers}, see reference.conf).
 *
 * @param connectTimeout longest wait for a TCP (and TLS) connection
 * @param responseTimeout longest wait for a response's headers; the stream after them is bounded
 *     by the run's {@code helix.run.model-timeout} (silence between deltas)
 * @param maxErrorText characters of a provider's error text kept in an error message
 */
record HttpSettings(Duration connectTimeout, Duration responseTimeout, int maxErrorText) {

  static HttpSettings fromConfig(Config providers) {
    return new HttpSettings(
        providers.getDuration("connect-timeout"),
        providers.getDuration("response-timeout"),
        providers.getInt("max-error-text"));
  }
}
