package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.testkit.TestRuntime;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Per-principal quotas of a node: new runs per second with a burst (a token bucket), streams open
 * at once; beyond them 429 with Retry-After, and principals do not share their quotas.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuotasTest {

  static final String ALICE = "alice-token-0123456789abcdef0123456789";
  static final String BOB = "bob-token-0123456789abcdef012345678901";

  private final TestServer server = new TestServer();
  private final URI api =
      server.bind(
          server.runtime.executor,
          server
              .settings
              .withAuthTokens(List.of("alice:" + ALICE, "bob:" + BOB))
              .withQuotas(new HttpSettings.Quotas(0.1, 2, 1)),
          server.history);

  private final List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();

  @AfterAll
  void stop() throws Exception {
    server.abortAllAndClose(started);
  }

  @Test
  void theBucketRefillsAtItsRate() {
    AtomicLong now = new AtomicLong();
    QuotaGate gate = new QuotaGate(new HttpSettings.Quotas(2, 3, 0), now::get);
    for (int i = 0; i < 3; i++) {
      assertEquals(Optional.empty(), gate.execute("p"), "the burst");
    }
    Optional<Duration> wait = gate.execute("p");
    assertEquals(Optional.of(Duration.ofMillis(500)), wait, "one token every 500 ms");
    now.addAndGet(Duration.ofMillis(500).toNanos());
    assertEquals(Optional.empty(), gate.execute("p"));
    assertEquals(Optional.empty(), gate.execute("q"), "another principal has its own bucket");
    assertTrue(gate.streamOpened("p"), "no stream limit");
  }

  private HttpResponse<String> execute(String token) {
    return server.executeAs(api, token, "slow", started);
  }

  @Test
  void aPrincipalBeyondItsQuotasIsAnswered429WithRetryAfter() throws Exception {
    assertEquals(202, execute(ALICE).statusCode());
    String runId = TestServer.json(execute(ALICE)).get("runId").asText();
    HttpResponse<String> third = execute(ALICE);
    assertEquals(429, third.statusCode(), third.body());
    assertTrue(third.body().contains("quota-exceeded"), third.body());
    long retryAfter = Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 10, "Retry-After " + retryAfter);
    assertEquals(202, execute(BOB).statusCode(), "bob's quota is his own");

    // one stream at once: a second is 429 until the first ends
    HttpResponse<Stream<String>> first =
        server.client.send(
            HttpRequest.newBuilder(api.resolve("/agent/stream/" + runId))
                .header("Authorization", "Bearer " + ALICE)
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, first.statusCode());
    HttpResponse<String> second =
        server.send(
            HttpRequest.newBuilder(api.resolve("/agent/stream/" + runId))
                .header("Authorization", "Bearer " + ALICE));
    assertEquals(429, second.statusCode(), second.body());
    first.body().close();
    // when the server sees the first one gone, its slot is free again
    TestRuntime.awaitCondition(() -> streamStatus(runId) == 200, Duration.ofSeconds(10));
  }

  /** Opens the run's stream as alice and closes it at once: its status. */
  private int streamStatus(String runId) {
    try {
      HttpResponse<Stream<String>> response =
          server.client.send(
              HttpRequest.newBuilder(api.resolve("/agent/stream/" + runId))
                  .header("Authorization", "Bearer " + ALICE)
                  .build(),
              HttpResponse.BodyHandlers.ofLines());
      response.body().close();
      return response.statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
