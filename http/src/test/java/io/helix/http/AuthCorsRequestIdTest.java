package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Bearer-token auth on REST, SSE and WebSocket; request ids; CORS. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthCorsRequestIdTest {

  static final String TOKEN = "s3cret-token-0123456789abcdef0123456789";
  static final String OTHER_TOKEN = "second-token-0123456789abcdef0123456789";

  private final TestServer server = new TestServer();
  private final URI secured =
      server.bind(
          server.runtime.executor,
          server.settings
              .withAuthTokens(List.of(TOKEN, OTHER_TOKEN))
              .withCorsAllowedOrigins(List.of("https://app.example.com")),
          server.history);

  @AfterAll
  void stop() {
    server.close();
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(secured.resolve(path));
  }

  private HttpRequest.Builder authed(String path) {
    return request(path).header("Authorization", "Bearer " + TOKEN);
  }

  private static void assertUnauthorized(HttpResponse<String> response, boolean tokenGiven) {
    assertEquals(401, response.statusCode(), response.body());
    assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
    assertEquals("urn:helix:problem:unauthorized", Json.parse(response.body()).get("type").asText());
    String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
    assertTrue(challenge.startsWith("Bearer"), challenge);
    assertEquals(tokenGiven, challenge.contains("invalid_token"), challenge);
    assertFalse(response.body().contains(TOKEN), "no token in the answer");
    assertTrue(response.headers().firstValue("X-Request-Id").isPresent());
  }

  @Test
  void restNeedsAValidToken() {
    String body = "{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":\"auth-rest-1\"}";
    assertUnauthorized(
        server.send(request("/agent/execute").header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))), false);
    assertUnauthorized(
        server.send(request("/agent/execute").header("Content-Type", "application/json")
            .header("Authorization", "Bearer wrong")
            .POST(HttpRequest.BodyPublishers.ofString(body))), true);
    assertTrue(server.runtime.executor.getHandle("auth-rest-1").toCompletableFuture().join().isEmpty(),
        "a rejected request starts no run");
    assertUnauthorized(server.send(request("/agent/agents").GET()), false);
    assertUnauthorized(server.send(request("/agent/agents").header("Authorization", "Basic dXNlcjpwdw==").GET()), false);
    assertUnauthorized(server.send(request("/agent/runs").header("Authorization", "Bearer " + TOKEN + "x").GET()), true);
    assertUnauthorized(server.send(request("/openapi.json").GET()), false);
    // unknown routes do not reveal themselves without a token
    assertUnauthorized(server.send(request("/no/such/route").GET()), false);

    assertEquals(200, server.send(authed("/agent/agents").GET()).statusCode());
    assertEquals(200, server.send(request("/agent/agents").header("Authorization", "bearer " + OTHER_TOKEN).GET()).statusCode());
    HttpResponse<String> started =
        server.send(authed("/agent/execute").header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(202, started.statusCode(), started.body());
    assertEquals(200, server.send(authed("/agent/result/auth-rest-1?wait=5").GET()).statusCode());
    // the access_token query parameter is for the streams browsers open (WebSocket, EventSource) only
    assertUnauthorized(server.send(request("/agent/agents?access_token=" + TOKEN).GET()), false);
  }

  @Test
  void sseNeedsAValidToken() {
    String runId = server.execute("adder", "sse auth");
    assertUnauthorized(server.send(request("/agent/stream/" + runId).GET()), false);
    assertUnauthorized(server.send(request("/agent/stream/" + runId).header("Authorization", "Bearer nope").GET()), true);
    try (SseStream stream = SseStream.open(server.client, authed("/agent/stream/" + runId).timeout(TestServer.DEADLINE).GET().build())) {
      stream.awaitDone(TestServer.DEADLINE);
      assertEquals("run_end", stream.events.get(stream.events.size() - 1).type());
    }
    // an EventSource cannot set headers: the token may come as ?access_token=
    assertUnauthorized(server.send(request("/agent/stream/" + runId + "?access_token=nope").GET()), true);
    try (SseStream stream = SseStream.open(server.client, request("/agent/stream/" + runId + "?from=0&access_token=" + TOKEN).timeout(TestServer.DEADLINE).GET().build())) {
      stream.awaitDone(TestServer.DEADLINE);
      assertEquals("run_end", stream.events.get(stream.events.size() - 1).type());
    }
  }

  private int wsStatus(String query, String authorization) {
    URI uri = URI.create("ws://" + secured.getHost() + ":" + secured.getPort() + query);
    WebSocket.Builder builder = server.client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    try {
      WebSocket socket = builder.buildAsync(uri, new WebSocket.Listener() {}).get(20, TimeUnit.SECONDS);
      socket.abort();
      return 101;
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException handshake) {
        return handshake.getResponse().statusCode();
      }
      throw new AssertionError(e);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void webSocketNeedsAValidTokenInTheHeaderOrTheQuery() {
    String runId = server.execute("adder", "ws auth");
    assertEquals(401, wsStatus("/ws/" + runId, null));
    assertEquals(401, wsStatus("/ws/" + runId + "?access_token=wrong", null));
    assertEquals(401, wsStatus("/ws/" + runId, "Bearer wrong"));
    assertEquals(101, wsStatus("/ws/" + runId + "?access_token=" + TOKEN, null));
    assertEquals(101, wsStatus("/ws/" + runId + "?from=0&access_token=" + OTHER_TOKEN, null));
    assertEquals(101, wsStatus("/ws/" + runId, "Bearer " + TOKEN));
  }

  @Test
  void everyResponseHasARequestId() {
    HttpResponse<String> given = server.send(authed("/agent/agents").header("X-Request-Id", "client-id.42:a_b-c").GET());
    assertEquals("client-id.42:a_b-c", given.headers().firstValue("X-Request-Id").orElse(""));
    HttpResponse<String> generated = server.send(authed("/agent/agents").GET());
    String id = generated.headers().firstValue("X-Request-Id").orElse("");
    assertEquals(36, id.length(), id);
    for (String bad : List.of("has space", "x".repeat(129), "semi;colon", "ümlaut")) {
      HttpResponse<String> replaced =
          server.send(authed("/agent/result/none").header("X-Request-Id", bad).GET());
      String answered = replaced.headers().firstValue("X-Request-Id").orElse("");
      assertNotEquals(bad, answered);
      assertEquals(36, answered.length());
      assertEquals(404, replaced.statusCode());
    }
    HttpResponse<String> problem = server.send(authed("/nowhere").header("X-Request-Id", "trace-1").GET());
    assertEquals(404, problem.statusCode());
    assertEquals("trace-1", problem.headers().firstValue("X-Request-Id").orElse(""));
    HttpResponse<String> unauthorized = server.send(request("/agent/agents").header("X-Request-Id", "trace-2").GET());
    assertEquals("trace-2", unauthorized.headers().firstValue("X-Request-Id").orElse(""));
  }

  @Test
  void corsForAllowedOriginsOnly() {
    HttpResponse<String> preflight =
        server.send(request("/agent/execute")
            .header("Origin", "https://app.example.com")
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization, content-type")
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    assertEquals(204, preflight.statusCode(), preflight.body());
    assertEquals("https://app.example.com", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").contains("Authorization"));
    assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));

    HttpResponse<String> denied =
        server.send(request("/agent/execute")
            .header("Origin", "https://evil.example.com")
            .header("Access-Control-Request-Method", "POST")
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    assertEquals(403, denied.statusCode());
    assertEquals("application/problem+json", denied.headers().firstValue("Content-Type").orElse(""));
    assertTrue(denied.headers().firstValue("Access-Control-Allow-Origin").isEmpty());

    HttpResponse<String> simple = server.send(authed("/agent/agents").header("Origin", "https://app.example.com").GET());
    assertEquals("https://app.example.com", simple.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertTrue(simple.headers().firstValue("Access-Control-Expose-Headers").orElse("").contains("X-Request-Id"));
    HttpResponse<String> other = server.send(authed("/agent/agents").header("Origin", "https://evil.example.com").GET());
    assertTrue(other.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    // the 401 of a cross-origin request is readable by the page
    HttpResponse<String> noToken = server.send(request("/agent/agents").header("Origin", "https://app.example.com").GET());
    assertEquals(401, noToken.statusCode());
    assertEquals("https://app.example.com", noToken.headers().firstValue("Access-Control-Allow-Origin").orElse(""));

    // the default server has no CORS
    HttpResponse<String> off = server.send(server.request("/agent/agents").header("Origin", "https://app.example.com").GET());
    assertTrue(off.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
  }

  @Test
  void tokensAreReadFromConfigAndNeverShown() {
    HttpSettings fromConfig =
        HttpSettings.fromConfig(
            com.typesafe.config.ConfigFactory.parseString(
                    "helix.http.auth.tokens = \" a , b,\"\nhelix.http.cors.allowed-origins = [\"*\"]")
                .withFallback(com.typesafe.config.ConfigFactory.load()));
    assertEquals(List.of("a", "b"), fromConfig.authTokens());
    assertEquals(List.of("*"), fromConfig.corsAllowedOrigins());
    assertFalse(fromConfig.toString().contains("a,"), fromConfig.toString());
    HttpSettings defaults = HttpSettings.fromConfig(com.typesafe.config.ConfigFactory.load());
    assertFalse(defaults.authEnabled());
    assertTrue(defaults.corsAllowedOrigins().isEmpty());
    JsonNode ignored = Json.object();
    assertTrue(ignored.isObject());
  }
}
