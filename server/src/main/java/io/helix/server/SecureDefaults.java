package io.helix.server;

import com.typesafe.config.Config;
import io.helix.http.HttpSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses to serve the API without authentication where others can reach it: a node bound to an
 * address that is not loopback needs bearer tokens ({@code HELIX_API_TOKENS}), or authentication
 * turned off on purpose ({@code HELIX_AUTH=none}, warned about at start).
 */
final class SecureDefaults {

  private static final Logger log = LoggerFactory.getLogger(SecureDefaults.class);

  private SecureDefaults() {}

  static void requireAuthentication(Config config, HttpSettings http) {
    String mode = config.getString("helix.http.auth.mode").trim();
    if (!mode.isEmpty() && !mode.equals("none")) {
      throw new IllegalStateException("HELIX_AUTH must be empty or 'none', was '" + mode + "'");
    }
    http.requireUsableAuth();
    if (http.authEnabled()) {
      if (mode.equals("none")) {
        throw new IllegalStateException(
            "HELIX_AUTH=none turns authentication off, but HELIX_API_TOKENS or HELIX_JWT_JWKS_URL"
                + " turn it on: choose one");
      }
      log.info(
          "authentication: on, {} bearer token(s){}",
          http.authTokens().size(),
          http.jwt().enabled() ? ", JWTs from " + http.jwt().jwksUrl() : "");
      return;
    }
    if (mode.equals("none")) {
      log.warn(
          "authentication: OFF (HELIX_AUTH=none): anyone who reaches {}:{} can start runs and read"
              + " every conversation",
          http.host(), http.port());
      return;
    }
    if (!loopback(http.host())) {
      throw new IllegalStateException(
          "the HTTP API would listen on " + http.host() + " with no authentication: set"
              + " HELIX_API_TOKENS (bearer tokens), or HELIX_AUTH=none to serve it unauthenticated"
              + " on purpose, or HELIX_HTTP_HOST=127.0.0.1 to keep it on this machine");
    }
    log.info("authentication: off (the API listens on loopback {} only)", http.host());
  }

  private static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
