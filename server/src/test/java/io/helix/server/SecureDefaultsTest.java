package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.helix.http.HttpSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecureDefaultsTest {

  private static void check(Map<String, Object> settings) {
    Config config = ConfigFactory.parseMap(settings).withFallback(ConfigFactory.load()).resolve();
    SecureDefaults.requireAuthentication(config, HttpSettings.fromConfig(config));
  }

  @Test
  void anOpenAddressNeedsTokensOrAnExplicitNone() {
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> check(Map.of("helix.http.host", "0.0.0.0")));
    assertTrue(refused.getMessage().contains("HELIX_API_TOKENS"), refused.getMessage());
    assertThrows(IllegalStateException.class, () -> check(Map.of("helix.http.host", "10.1.2.3")));
    assertDoesNotThrow(
        () -> check(Map.of("helix.http.host", "0.0.0.0", "helix.http.auth.tokens", "t".repeat(40))));
    assertDoesNotThrow(() -> check(Map.of("helix.http.host", "0.0.0.0", "helix.http.auth.mode", "none")));
  }

  @Test
  void loopbackNeedsNothingAndContradictionsAreRefused() {
    assertDoesNotThrow(() -> check(Map.of("helix.http.host", "127.0.0.1")));
    assertDoesNotThrow(() -> check(Map.of("helix.http.host", "localhost")));
    assertDoesNotThrow(() -> check(Map.of("helix.http.host", "::1")));
    assertThrows(
        IllegalStateException.class,
        () -> check(Map.of("helix.http.auth.mode", "none", "helix.http.auth.tokens", "t".repeat(40))));
    assertThrows(IllegalStateException.class, () -> check(Map.of("helix.http.auth.mode", "off")));
  }
}
