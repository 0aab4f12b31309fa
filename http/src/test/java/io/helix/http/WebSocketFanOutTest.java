package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.AgentHandle;
import io.helix.model.ModelEvent;
import io.helix.model.ScriptedModel;
import io.helix.stream.StreamChunk;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A thousand WebSocket subscribers of one run's stream, connecting all at once, in one JVM over
 * loopback, each receive the identical, gap-free sequence of its more than 2,000 chunks. The subscribers are lean clients on
 * plain sockets ({@link WsFleet}), so the two cores go to the server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketFanOutTest {

  static final int SUBSCRIBERS = Integer.getInteger("fanout.subscribers", 1000);
  static final int DELTAS = 2100;

  private final GatedModel chatty =
      new GatedModel(
          new ScriptedModel(
              request -> {
                List<ModelEvent> events = new ArrayList<>();
                for (int i = 0; i < DELTAS; i++) {
                  events.add(ScriptedModel.text("token" + i + " "));
                }
                events.add(ScriptedModel.finish("stop", 1, DELTAS));
                return events;
              }));

  private final TestServer server =
      new TestServer(
          "", // the defaults (helix.http.backlog, max-connections) must take a crowd
          agents -> agents.register(TestAgents.adder("chatty", 2).withModel("gated:test")),
          models -> models.register("gated", chatty),
          Duration.ofSeconds(15));

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void aThousandSubscribersGetTheSameGapFreeStream() throws Exception {
    String runId = server.execute("chatty", "talk a lot");
    AgentHandle handle =
        server.runtime.executor.getHandle(runId).toCompletableFuture().get(10, TimeUnit.SECONDS)
            .orElseThrow();

    long connectStart = System.nanoTime();
    try (WsFleet fleet = new WsFleet(server.base, runId, 0, SUBSCRIBERS)) {
      // every one subscribed live before the model starts talking, all through one hub
      TestRuntime.awaitCondition(
          () -> server.api.hubs().localSubscribers(runId) == SUBSCRIBERS,
          Duration.ofSeconds(30));
      assertEquals(1, handle.streamStatus().toCompletableFuture().join().subscribers());
      long connected = System.nanoTime();

      chatty.gate.complete(null);
      List<WsFleet.Result> results = fleet.done.get(60, TimeUnit.SECONDS);
      long received = System.nanoTime();

      List<StreamChunk> reference =
          handle.stream(0)
              .runWith(Sink.seq(), server.runtime.testKit.system())
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      long referenceHash = WsFleet.HASH_SEED;
      for (StreamChunk chunk : reference) {
        referenceHash = WsFleet.hash(referenceHash, chunk.toJsonString());
      }
      assertTrue(reference.size() >= 2000, "a long stream: " + reference.size());
      assertEquals(SUBSCRIBERS, results.size());
      for (int i = 0; i < results.size(); i++) {
        WsFleet.Result result = results.get(i);
        assertNull(result.failure(), "subscriber " + i);
        assertEquals(reference.size(), result.count(), "subscriber " + i + " chunk count");
        assertEquals(referenceHash, result.hash(), "subscriber " + i + " saw other chunks");
        assertEquals("stream_end", result.control().get("type").asText(), "subscriber " + i);
        assertEquals(reference.size(), result.control().get("next").asLong());
        assertEquals(reference.size() - 1, result.control().get("last").asLong());
        assertEquals(1000, result.closeCode(), "a normal close");
      }
      System.out.printf(
          "%d WebSocket subscribers: connected in %.1f s; %d chunks each, %d frames in all,"
              + " delivered in %.1f s%n",
          SUBSCRIBERS,
          (connected - connectStart) / 1e9,
          reference.size(),
          (long) reference.size() * SUBSCRIBERS,
          (received - connected) / 1e9);
    }
  }
}
