package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.AgentHandle;
import io.helix.model.ModelEvent;
import io.helix.model.ScriptedModel;
import io.helix.stream.StreamChunk;
import io.helix.testkit.TestAgents;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * SSE clients that disconnect at random points during a run and reconnect with {@code
 * Last-Event-ID} (or {@code ?from=}) each end with exactly the whole stream: no chunk missing, none
 * twice. The stream keeps only 32 chunks in memory, so most reconnections catch up from the
 * journal, and many happen after the run has ended.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SseReconnectTest {

  static final int SEEDS = 32;
  static final int DELTAS = 800;

  private final TestServer server =
      new TestServer(
          "helix.stream.tail-size = 32",
          agents -> agents.register(TestAgents.adder("paced", 5).withModel("paced:test")),
          models ->
              models.register(
                  "paced",
                  new ScriptedModel(
                      request -> {
                        if (request.step() == 1) {
                          // a tool call first, so the stream has tool chunks and two steps
                          List<ModelEvent> first = new ArrayList<>();
                          for (int i = 0; i < DELTAS / 2; i++) {
                            first.add(ScriptedModel.text("a" + i + " "));
                          }
                          first.addAll(TestAgents.addThenAnswer(request));
                          return first;
                        }
                        List<ModelEvent> events = new ArrayList<>();
                        for (int i = 0; i < DELTAS / 2; i++) {
                          events.add(ScriptedModel.text("b" + i + " "));
                        }
                        events.addAll(TestAgents.addThenAnswer(request));
                        return events;
                      },
                      Duration.ofMillis(1))));

  @AfterAll
  void stop() {
    server.close();
  }

  record Event(String id, String event, String data) {}

  /** What a client saw: its events, and how often it connected. */
  record Session(List<Event> events, int connections) {}

  @Test
  void clientsThatReconnectAtRandomPointsGetExactlyTheWholeStream() throws Exception {
    String runId = server.execute("paced", "go");
    ExecutorService pool = Executors.newFixedThreadPool(SEEDS);
    List<Future<Session>> sessions = new ArrayList<>();
    for (int seed = 1; seed <= SEEDS; seed++) {
      long s = seed;
      sessions.add(pool.submit(() -> session(runId, new Random(s))));
    }
    List<Session> results = new ArrayList<>();
    for (Future<Session> session : sessions) {
      results.add(session.get(60, TimeUnit.SECONDS));
    }
    pool.shutdown();

    AgentHandle handle =
        server.runtime.executor.getHandle(runId).toCompletableFuture().get().orElseThrow();
    List<StreamChunk> reference =
        handle.stream(0)
            .runWith(Sink.seq(), server.runtime.testKit.system())
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertTrue(reference.size() > DELTAS, "the whole run: " + reference.size());
    List<String> expectedIds = reference.stream().map(c -> Long.toString(c.seq())).toList();
    List<String> expectedData = reference.stream().map(StreamChunk::toJsonString).toList();
    int connections = 0;
    for (int i = 0; i < results.size(); i++) {
      Session session = results.get(i);
      connections += session.connections();
      assertEquals(
          expectedIds, session.events().stream().map(Event::id).toList(), "ids of seed " + (i + 1));
      assertEquals(
          expectedData,
          session.events().stream().map(Event::data).toList(),
          "data of seed " + (i + 1));
    }
    System.out.printf(
        "%d SSE clients, %d connections in all, each got the %d chunks exactly%n",
        SEEDS, connections, reference.size());
    assertTrue(connections > SEEDS * 5, "clients reconnected often: " + connections);
  }

  /** Reads the run's stream, dropping the connection after a random number of events each time. */
  private Session session(String runId, Random random) throws Exception {
    List<Event> got = new ArrayList<>();
    Long resumeFrom = null; // from a resume event, if one came
    int connections = 0;
    while (true) {
      connections++;
      HttpRequest.Builder request;
      if (got.isEmpty() && resumeFrom == null) {
        request = server.request("/agent/stream/" + runId);
      } else {
        long next =
            resumeFrom != null ? resumeFrom : Long.parseLong(got.get(got.size() - 1).id()) + 1;
        if (random.nextBoolean() && resumeFrom == null) {
          // as an EventSource reconnects: its original URL and the last id it saw
          request =
              server
                  .request("/agent/stream/" + runId)
                  .header("Last-Event-ID", got.get(got.size() - 1).id());
        } else {
          request = server.request("/agent/stream/" + runId + "?from=" + next);
        }
      }
      resumeFrom = null;
      int budget = 1 + random.nextInt(random.nextBoolean() ? 20 : 150);
      HttpResponse<Stream<String>> response =
          server.client.send(
              request.header("Accept", "text/event-stream").GET().build(),
              HttpResponse.BodyHandlers.ofLines());
      if (response.statusCode() == 204) {
        // reconnected at the end of the ended stream: nothing more will come
        response.body().close();
        return new Session(got, connections);
      }
      assertEquals(200, response.statusCode());
      boolean ended = true;
      try (Stream<String> lines = response.body()) {
        Iterator<String> it = lines.iterator();
        String id = null;
        String event = null;
        StringBuilder data = null;
        while (it.hasNext()) {
          String line = it.next();
          if (line.isEmpty()) {
            if (data != null) {
              if ("resume".equals(event)) {
                resumeFrom = io.helix.json.Json.parse(data.toString()).get("from").asLong();
              } else {
                got.add(new Event(id, event, data.toString()));
                budget--;
              }
            }
            id = null;
            event = null;
            data = null;
            if (budget == 0) {
              ended = false; // hang up mid-stream
              break;
            }
          } else if (line.startsWith("id:")) {
            id = line.substring(3).trim();
          } else if (line.startsWith("event:")) {
            event = line.substring(6).trim();
          } else if (line.startsWith("data:")) {
            data = new StringBuilder(line.substring(5).trim());
          }
        }
      }
      if (ended && resumeFrom == null) {
        return new Session(got, connections);
      }
      if (random.nextInt(4) == 0) {
        Thread.sleep(random.nextInt(30)); // sometimes a moment offline
      }
    }
  }

}
