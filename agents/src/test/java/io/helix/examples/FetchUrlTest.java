package io.helix.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.helix.agent.Tool;
import io.helix.testkit.TestToolContext;
import io.helix.json.Json;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FetchUrlTest {

  private final HttpServer server = startServer();

  private static HttpServer startServer() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext(
          "/page",
          exchange -> {
            byte[] body = "x".repeat(100).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      server.start();
      return server;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  void stop() {
    server.stop(0);
  }

  private JsonNode fetch(Set<String> allowed, int maxBytes, String url) throws Exception {
    Tool tool = FetchUrl.tool(new FetchUrl.Settings(allowed, maxBytes, Duration.ofSeconds(5)));
    Object result =
        tool.execute(Json.object().put("url", url), new TestToolContext())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return Json.toTree(result);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/page";
  }

  @Test
  void fetchesFromAnAllowedHostWithinTheSizeLimit() throws Exception {
    JsonNode page = fetch(Set.of("127.0.0.1"), 1000, url());
    assertEquals(200, page.get("status").asInt());
    assertEquals(100, page.get("body").asText().length());
    assertEquals(false, page.get("truncated").asBoolean());

    JsonNode cut = fetch(Set.of("127.0.0.1"), 10, url());
    assertEquals(10, cut.get("body").asText().length());
    assertTrue(cut.get("truncated").asBoolean());
  }

  @Test
  void refusesHostsNotAllowedAndOtherSchemes() {
    ExecutionException none =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> fetch(Set.of(), 1000, url()));
    assertTrue(none.getCause().getMessage().contains("is not allowed"), none.getMessage());
    ExecutionException file =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> fetch(Set.of("127.0.0.1"), 1000, "file:///etc/passwd"));
    assertTrue(file.getCause().getMessage().contains("only http and https"));
  }
}
