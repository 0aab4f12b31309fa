package io.helix.http;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Short-lived, single-use tickets for a stream's URL ({@code ?ticket=} on {@code /agent/stream/}
 * and {@code /ws/}), so that no long-lived token is put in a URL (where proxies and browser history
 * keep it). A ticket is a JWT signed with HMAC-SHA256 (Nimbus JOSE+JWT, as for the API's JWTs): the
 * principal and its scopes, the one stream it opens, an expiry ({@code ticket-ttl}, 60 s) and an id
 * that this node accepts once. The key is {@code helix.http.auth.ticket-secret}; empty, each node
 * makes its own, and a ticket opens streams of the node that issued it only.
 */
final class StreamTickets {

  /** An issued ticket and when it expires. */
  record Ticket(String ticket, Instant expiresAt) {}

  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Duration ttl;
  private final Clock clock;
  // ticket ids used, until their expiry (then a ticket is refused for its age anyway)
  private final Map<String, Instant> used = new ConcurrentHashMap<>();

  StreamTickets(String secret, Duration ttl, Clock clock) {
    byte[] key = secret == null || secret.isEmpty() ? randomKey() : secret.getBytes(StandardCharsets.UTF_8);
    if (key.length < 32) {
      throw new IllegalArgumentException(
          "helix.http.auth.ticket-secret must have at least 32 characters");
    }
    try {
      this.signer = new MACSigner(key);
      this.verifier = new MACVerifier(key);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("helix.http.auth.ticket-secret: " + e.getMessage(), e);
    }
    this.ttl = ttl;
    this.clock = clock;
  }

  /** A ticket that opens {@code streamId} once, as {@code principal}, within the ttl. */
  Ticket issue(Principal principal, String streamId) {
    Instant expires = clock.instant().plus(ttl);
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(principal.name())
            .claim("scope", List.copyOf(principal.scopes()))
            .claim("stream", streamId)
            .expirationTime(Date.from(expires))
            .jwtID(UUID.randomUUID().toString())
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("a stream ticket could not be signed", e);
    }
    return new Ticket(jwt.serialize(), expires);
  }

  /**
   * The principal of a valid ticket for {@code streamId}, using it up; empty when it is not signed
   * here, has expired, is for another stream or was used before.
   */
  Optional<Principal> redeem(String ticket, String streamId) {
    Instant now = clock.instant();
    used.values().removeIf(expiry -> expiry.isBefore(now));
    try {
      SignedJWT jwt = SignedJWT.parse(ticket);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        return Optional.empty();
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Date exp = claims.getExpirationTime();
      if (exp == null
          || !exp.toInstant().isAfter(now)
          || !streamId.equals(claims.getStringClaim("stream"))
          || claims.getJWTID() == null
          || used.putIfAbsent(claims.getJWTID(), exp.toInstant()) != null) {
        return Optional.empty();
      }
      Set<String> scopes = new HashSet<>(claims.getStringListClaim("scope"));
      scopes.retainAll(Principal.ALL);
      return Optional.of(new Principal(claims.getSubject(), scopes));
    } catch (ParseException | JOSEException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static byte[] randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }
}
