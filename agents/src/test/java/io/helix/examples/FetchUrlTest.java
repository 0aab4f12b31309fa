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
import java.util.List;
import java.util.Set;
import java.net.InetAddress;
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
      server.createContext(
          "/trickle",
          exchange -> {
            // a byte every 200 ms, for ever (until the client gives up)
            exchange.sendResponseHeaders(200, 0);
            try (var out = exchange.getResponseBody()) {
              for (int i = 0; i < 1000; i++) {
                out.write('x');
                out.flush();
                Thread.sleep(200);
              }
            } catch (java.io.IOException | InterruptedException e) {
              // the client went away
            }
          });
      server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
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
    return fetch(allowed, maxBytes, url, Duration.ofSeconds(5));
  }

  private JsonNode fetch(Set<String> allowed, int maxBytes, String url, Duration timeout)
      throws Exception {
    Tool tool = FetchUrl.tool(new FetchUrl.Settings(allowed, maxBytes, timeout));
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
    JsonNode page = fetch(Set.of(hostPort()), 1000, url());
    assertEquals(200, page.get("status").asInt());
    assertEquals(100, page.get("body").asText().length());
    assertEquals(false, page.get("truncated").asBoolean());

    JsonNode cut = fetch(Set.of(hostPort()), 10, url());
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

  private String hostPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private String failure(Set<String> allowed, String url) {
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> fetch(allowed, 1000, url));
    return e.getCause().getMessage();
  }

  @Test
  void aNameOnTheListDoesNotReachANonPublicAddress() {
    int port = server.getAddress().getPort();
    String local = "http://localhost:" + port + "/page";
    // localhost allowed by name (and port): it resolves to loopback, which is not allowed itself
    String refused = failure(Set.of("localhost:" + port), local);
    assertTrue(refused.contains("resolves to an address that is not public"), refused);
    // the loopback address by name only, without its port: the port is refused
    String port80Only = failure(Set.of("127.0.0.1"), url());
    assertTrue(port80Only.contains("port " + port + " is not allowed"), port80Only);
    // other spellings of loopback and private addresses are not on the list
    for (String host : List.of("[::1]", "[::ffff:127.0.0.1]", "2130706433", "0x7f.0.0.1")) {
      String message = failure(Set.of("localhost:" + port), "http://" + host + ":" + port + "/page");
      assertTrue(
          message.contains("is not allowed")
              || message.contains("not public")
              || message.contains("a URL with a host"),
          host + ": " + message);
    }
  }

  @Test
  void theAddressesChecksAreTheSpecialRanges() throws Exception {
    for (String address :
        List.of(
            "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
            "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1",
            "fd12:3456::1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1")) {
      assertTrue(!AddressGuard.isPublic(InetAddress.getByName(address)), address);
    }
    for (String address : List.of("93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8")) {
      assertTrue(AddressGuard.isPublic(InetAddress.getByName(address)), address);
    }
  }

  @Test
  void aTricklingBodyIsCutAtTheDeadline() {
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/trickle";
    long start = System.nanoTime();
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class,
            () -> fetch(Set.of(hostPort()), 100_000, url, Duration.ofSeconds(1)));
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(e.getCause().getMessage().contains("timed out after 1000 ms"), e.getMessage());
    // headers came at once and a byte every 200 ms kept the socket busy: only the deadline ended it
    assertTrue(seconds < 4, "ended after " + seconds + " s");
  }
}
