package io.helix.http;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a bearer token into a {@link Principal}: a static token of {@code helix.http.auth.tokens}
 * ({@code name:token}, or a bare {@code token} for the principal {@code default}; compared in
 * constant time by SHA-256 digest), or a JWT signed by a key of {@code helix.http.auth.jwt.jwks-url}
 * with the configured issuer and audience, verified with Nimbus JOSE+JWT (the maintained JOSE
 * library: key rotation and caching of the JWKS, algorithm pinning, the standard claim checks).
 * Verifying a JWT may fetch the JWKS over HTTP: call {@link #authenticate} off the HTTP
 * dispatcher's threads.
 */
final class Authenticator {

  /** Tokens shorter than this are refused at start: they could be guessed. */
  static final int MIN_TOKEN_LENGTH = 32;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

  private final Map<String, String> nameByDigest = new LinkedHashMap<>();
  private final Set<String> admins;
  private final Optional<DefaultJWTProcessor<SecurityContext>> jwt;
  private final HttpSettings.Jwt jwtSettings;

  Authenticator(List<String> tokens, Set<String> admins, HttpSettings.Jwt jwtSettings) {
    for (String entry : tokens) {
      int colon = entry.indexOf(':');
      boolean named = colon > 0 && NAME.matcher(entry.substring(0, colon)).matches();
      String name = named ? entry.substring(0, colon) : "default";
      String token = named ? entry.substring(colon + 1) : entry;
      if (token.length() < MIN_TOKEN_LENGTH) {
        throw new IllegalArgumentException(
            "the API token of principal '" + name + "' has " + token.length() + " characters;"
                + " at least " + MIN_TOKEN_LENGTH + " are needed (e.g. openssl rand -hex 32)");
      }
      if (nameByDigest.put(hex(sha256(token)), name) != null) {
        throw new IllegalArgumentException("an API token is given twice");
      }
    }
    this.admins = Set.copyOf(admins);
    this.jwtSettings = jwtSettings;
    this.jwt = jwtSettings.enabled() ? Optional.of(processor(jwtSettings)) : Optional.empty();
  }

  /** Whether any credentials are configured (else authentication is off). */
  boolean enabled() {
    return !nameByDigest.isEmpty() || jwt.isPresent();
  }

  /** The token's principal; empty when the token is not valid. */
  Optional<Principal> authenticate(String token) {
    // every static token is looked at: constant time in which of them matches
    String digest = hex(sha256(token));
    String staticName = null;
    for (Map.Entry<String, String> entry : nameByDigest.entrySet()) {
      if (MessageDigest.isEqual(
          entry.getKey().getBytes(StandardCharsets.US_ASCII),
          digest.getBytes(StandardCharsets.US_ASCII))) {
        staticName = entry.getValue();
      }
    }
    if (staticName != null) {
      return Optional.of(principal(staticName, Set.of(Principal.EXECUTE, Principal.READ, Principal.ABORT)));
    }
    if (jwt.isEmpty() || token.chars().filter(c -> c == '.').count() != 2) {
      return Optional.empty();
    }
    try {
      JWTClaimsSet claims = jwt.get().process(token, null);
      Object subject = claims.getClaim(jwtSettings.principalClaim());
      if (!(subject instanceof String name) || name.isBlank()) {
        return Optional.empty();
      }
      return Optional.of(principal(name, scopes(claims)));
    } catch (ParseException | BadJOSEException | JOSEException e) {
      return Optional.empty();
    }
  }

  private Principal principal(String name, Set<String> scopes) {
    Set<String> all = new HashSet<>(scopes);
    if (admins.contains(name)) {
      all.add(Principal.ADMIN);
    }
    return new Principal(name, all);
  }

  /** The JWT's scopes: a space-separated string or a list (OAuth 2.0's {@code scope}). */
  private Set<String> scopes(JWTClaimsSet claims) {
    Object value = claims.getClaim(jwtSettings.scopeClaim());
    List<String> given = new ArrayList<>();
    if (value instanceof String text) {
      given.addAll(List.of(text.trim().split("\\s+")));
    } else if (value instanceof List<?> list) {
      list.forEach(item -> given.add(String.valueOf(item)));
    }
    Set<String> scopes = new HashSet<>(given);
    scopes.retainAll(Principal.ALL);
    return scopes;
  }

  private static DefaultJWTProcessor<SecurityContext> processor(HttpSettings.Jwt settings) {
    JWKSource<SecurityContext> keys;
    try {
      keys = JWKSourceBuilder.create(URI.create(settings.jwksUrl()).toURL()).retrying(true).build();
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("HELIX_JWT_JWKS_URL is not a URL: " + settings.jwksUrl(), e);
    }
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(
        new JWSVerificationKeySelector<>(
            Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.ES256,
                JWSAlgorithm.ES384, JWSAlgorithm.PS256, JWSAlgorithm.EdDSA),
            keys));
    JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    if (!settings.issuer().isBlank()) {
      exact.issuer(settings.issuer());
    }
    processor.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(
            settings.audience().isBlank() ? null : settings.audience(),
            exact.build(),
            Set.of("exp", settings.principalClaim())));
    return processor;
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return out.toString();
  }
}
