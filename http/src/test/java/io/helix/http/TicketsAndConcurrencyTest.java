package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.testkit.TestRuntime;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Single-use stream tickets (a URL that opens one stream once, for a while) and the quota of
 * concurrent runs per principal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TicketsAndConcurrencyTest {

  static final String ALICE = QuotasTest.ALICE;
  static final String BOB = QuotasTest.BOB;
  static final String CAROL = "carol-token-0123456789abcdef0123456789";

  private final TestServer server = new TestServer();
  private final URI api =
      server.bind(
          server.runtime.executor,
          server
              .settings
              .withAuthTokens(List.of("alice:" + ALICE, "bob:" + BOB, "carol:" + CAROL))
              .withQuotas(new HttpSettings.Quotas(0, 0, 0, 2, 0)),
          server.history);
  private final List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();

  @AfterAll
  void stop() throws Exception {
    server.abortAllAndClose(started);
  }

  private HttpResponse<String> execute(String token) {
    return server.executeAs(api, token, "slow", started);
  }

  private HttpResponse<String> ticket(String streamId, String token) {
    return server.send(
        HttpRequest.newBuilder(api.resolve("/agent/stream-ticket/" + streamId))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.noBody()));
  }

  /** Opens a stream's URL without a token and closes it: its status. */
  private int open(String pathAndQuery) throws Exception {
    HttpResponse<Stream<String>> response =
        server.client.send(
            HttpRequest.newBuilder(api.resolve(pathAndQuery)).timeout(TestServer.DEADLINE).build(),
            HttpResponse.BodyHandlers.ofLines());
    response.body().close();
    return response.statusCode();
  }

  @Test
  void aTicketOpensItsStreamOnceAndNoOtherAndOnlyItsOwnerGetsOne() throws Exception {
    String runId = TestServer.json(execute(CAROL)).get("runId").asText();
    HttpResponse<String> issued = ticket(runId, CAROL);
    assertEquals(201, issued.statusCode(), issued.body());
    JsonNode json = TestServer.json(issued);
    String ticket = json.get("ticket").asText();
    assertTrue(Instant.parse(json.get("expiresAt").asText()).isAfter(Instant.now()));
    assertEquals(401, open("/agent/stream/" + runId), "no token, no ticket");
    assertEquals(200, open(json.get("streamUrl").asText()), "the ticket opens the stream");
    assertEquals(401, open(json.get("streamUrl").asText()), "once");

    String other = TestServer.json(execute(BOB)).get("runId").asText();
    assertEquals(404, ticket(runId, BOB).statusCode(), "bob gets no ticket for carol's stream");
    String bobs = TestServer.json(ticket(other, BOB)).get("ticket").asText();
    assertEquals(401, open("/agent/stream/" + runId + "?ticket=" + bobs), "a ticket opens its stream only");

    // a WebSocket with a ticket
    String wsTicket = TestServer.json(ticket(runId, CAROL)).get("webSocketUrl").asText();
    WebSocket socket =
        server.client
            .newWebSocketBuilder()
            .buildAsync(URI.create(api.toString().replace("http:", "ws:")).resolve(wsTicket), new WebSocket.Listener() {})
            .get(20, TimeUnit.SECONDS);
    socket.abort();
    assertEquals(
        415,
        server.send(
                HttpRequest.newBuilder(api.resolve("/agent/stream-ticket/" + runId))
                    .header("Authorization", "Bearer " + CAROL)
                    .POST(HttpRequest.BodyPublishers.noBody()))
            .statusCode(),
        "a POST needs a JSON content type, also with no body");
  }

  @Test
  void aTicketExpiresAndAForgedOneIsRefused() {
    Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
    MutableClock clock = new MutableClock(t0);
    StreamTickets tickets = new StreamTickets("", Duration.ofSeconds(60), clock);
    Principal alice = new Principal("alice", Set.of(Principal.READ));
    StreamTickets.Ticket ticket = tickets.issue(alice, "s1");
    StreamTickets.Ticket later = tickets.issue(alice, "s1");
    assertEquals(alice, tickets.redeem(ticket.ticket(), "s1").orElseThrow());
    clock.now = t0.plusSeconds(61);
    assertTrue(tickets.redeem(later.ticket(), "s1").isEmpty(), "expired");
    StreamTickets other = new StreamTickets("", Duration.ofSeconds(60), clock);
    assertTrue(
        other.redeem(other.issue(alice, "s1").ticket() + "x", "s1").isEmpty(), "tampered");
    assertTrue(tickets.redeem(other.issue(alice, "s1").ticket(), "s1").isEmpty(), "another key");
  }

  @Test
  void theThirdConcurrentRunOfAPrincipalIs429UntilOneEnds() throws Exception {
    JsonNode me =
        TestServer.json(
            server.send(
                HttpRequest.newBuilder(api.resolve("/agent/me"))
                    .header("Authorization", "Bearer " + ALICE)));
    assertEquals("alice", me.get("principal").asText());
    assertEquals(2, me.get("quotas").get("concurrentRuns").asInt(), me.toString());
    String first = TestServer.json(execute(ALICE)).get("runId").asText();
    assertEquals(202, execute(ALICE).statusCode());
    HttpResponse<String> third = execute(ALICE);
    assertEquals(429, third.statusCode(), third.body());
    assertTrue(third.headers().firstValue("Retry-After").isPresent());
    assertEquals(202, execute(BOB).statusCode(), "bob's runs are his own");
    TestRuntime.await(
        TestRuntime.await(server.runtime.executor.getHandle(first)).orElseThrow().abort("make room"));
    TestRuntime.awaitCondition(() -> execute(ALICE).statusCode() == 202, Duration.ofSeconds(10));
  }

  private static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
