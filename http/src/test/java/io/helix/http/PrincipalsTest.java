package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bearer tokens map to principals with scopes: static {@code name:token}s (a bare token is {@code
 * default}; tokens under 32 characters are refused), and JWTs minted here and verified against a
 * JWKS served over loopback: valid, expired, for another audience or issuer, signed by a key the
 * JWKS does not have; a scope the request needs and the token lacks is a 403.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrincipalsTest {

  static final String ALICE = "alice-token-0123456789abcdef0123456789";
  static final String BARE = "bare-token-0123456789abcdef0123456789";
  static final String ISSUER = "https://issuer.example";
  static final String AUDIENCE = "helix-api";

  private final RSAKey key = rsa("k1");
  private final RSAKey stranger = rsa("k1"); // same key id, another key
  private final AtomicInteger jwksRequests = new AtomicInteger();
  private final HttpServer jwks = jwksServer();
  private final TestServer server = new TestServer();
  private final URI api =
      server.bind(
          server.runtime.executor,
          server
              .settings
              .withAuthTokens(List.of("alice:" + ALICE, BARE))
              .withJwt(
                  new HttpSettings.Jwt(
                      "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json",
                      ISSUER,
                      AUDIENCE,
                      "sub",
                      "scope")),
          server.history);

  private static RSAKey rsa(String id) {
    try {
      return new RSAKeyGenerator(2048).keyID(id).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpServer jwksServer() {
    try {
      HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      http.createContext(
          "/jwks.json",
          exchange -> {
            jwksRequests.incrementAndGet();
            byte[] body =
                new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      http.start();
      return http;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  void stop() {
    server.close();
    jwks.stop(0);
  }

  private String jwt(RSAKey signer, String subject, String scope, String audience, String issuer, Instant expires)
      throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(subject)
            .issuer(issuer)
            .audience(audience)
            .expirationTime(Date.from(expires))
            .issueTime(new Date())
            .claim("scope", scope)
            .build();
    SignedJWT token =
        new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID()).build(), claims);
    token.sign(new RSASSASigner(signer));
    return token.serialize();
  }

  private String valid(String scope) throws Exception {
    return jwt(key, "carol", scope, AUDIENCE, ISSUER, Instant.now().plusSeconds(300));
  }

  private int status(String method, String path, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve(path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (method.equals("POST")) {
      request
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"agentType\":\"adder\",\"message\":\"x\"}"));
    }
    HttpResponse<String> response = server.send(request);
    return response.statusCode();
  }

  @Test
  void staticTokensNameTheirPrincipals() {
    assertEquals(200, status("GET", "/agent/agents", ALICE));
    assertEquals(200, status("GET", "/agent/agents", BARE));
    assertEquals(202, status("POST", "/agent/execute", ALICE));
    assertEquals(401, status("GET", "/agent/agents", "alice:" + ALICE));
    assertEquals(401, status("GET", "/agent/agents", null));
  }

  @Test
  void shortTokensAreRefusedAtStart() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> server.settings.withAuthTokens(List.of("bob:short-token")).requireUsableAuth());
    assertTrue(refused.getMessage().contains("principal 'bob' has 11 characters"), refused.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Authenticator(List.of("x".repeat(31)), Set.of(), HttpSettings.Jwt.OFF));
  }

  @Test
  void jwtsAreVerifiedAgainstTheJwksAndTheirScopesApply() throws Exception {
    assertEquals(200, status("GET", "/agent/agents", valid("read")));
    assertTrue(jwksRequests.get() >= 1, "the keys came from the JWKS URL");
    assertEquals(403, status("POST", "/agent/execute", valid("read")));
    assertEquals(202, status("POST", "/agent/execute", valid("read execute")));
    assertEquals(403, status("POST", "/agent/abort/some-run", valid("read execute")));
    assertEquals(403, status("GET", "/agent/agents", valid("execute")));
    assertEquals(200, status("GET", "/agent/agents", valid("admin")));

    Instant past = Instant.now().minusSeconds(600);
    assertEquals(401, status("GET", "/agent/agents", jwt(key, "carol", "read", AUDIENCE, ISSUER, past)));
    Instant later = Instant.now().plusSeconds(300);
    assertEquals(401, status("GET", "/agent/agents", jwt(key, "carol", "read", "another-api", ISSUER, later)));
    assertEquals(401, status("GET", "/agent/agents", jwt(key, "carol", "read", AUDIENCE, "https://evil", later)));
    assertEquals(401, status("GET", "/agent/agents", jwt(stranger, "carol", "read", AUDIENCE, ISSUER, later)));
    assertEquals(401, status("GET", "/agent/agents", valid("read") + "x"));
  }
}
