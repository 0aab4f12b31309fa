package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket client aborts its stream's run with {@code {"type":"abort"}}; when the server shuts
 * down, SSE and WebSocket clients get a last event/frame with the offset to resume from.
 */
class WebSocketAbortAndShutdownTest {

  private static void awaitChunks(java.util.function.IntSupplier count, int atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TestServer.DEADLINE.toNanos();
    while (count.getAsInt() < atLeast) {
      assertTrue(System.nanoTime() < deadline, "chunks arrived");
      Thread.sleep(50);
    }
  }

  @Test
  void aWebSocketClientAbortsTheRunOfItsStream() throws Exception {
    try (TestServer server = new TestServer()) {
      String runId = server.execute("slow", "abort me over the socket");
      HttpClient client = HttpClient.newHttpClient();
      WsSubscriber subscriber = new WsSubscriber(0);
      WebSocket socket =
          WsSubscriber.connect(client, server.base, runId, 0, subscriber).get(20, TimeUnit.SECONDS);
      // frames that are not an abort are ignored
      socket.sendText("not json", true).get(5, TimeUnit.SECONDS);
      socket.sendText("{\"type\":\"hello\"}", true).get(5, TimeUnit.SECONDS);
      socket.sendText("[1,2]", true).get(5, TimeUnit.SECONDS);
      Thread.sleep(300);
      assertEquals("running", TestServer.json(server.get("/agent/result/" + runId)).get("status").asText());

      socket.sendText("{\"type\":\"abort\",\"reason\":\"stopped from the socket\"}", true).get(5, TimeUnit.SECONDS);
      WsSubscriber.Result result = subscriber.done.get(20, TimeUnit.SECONDS);
      assertEquals(null, result.failure());
      assertEquals("stream_end", result.control().get("type").asText());
      JsonNode run = TestServer.json(server.get("/agent/result/" + runId + "?wait=5"));
      assertEquals("failed", run.get("status").asText());
      assertTrue(run.get("aborted").asBoolean());
      assertEquals("stopped from the socket", run.get("abortReason").asText());
    }
  }

  @Test
  void onShutdownStreamingClientsGetTheirResumeOffset() throws Exception {
    TestServer server = new TestServer();
    SseStream sse = null;
    boolean closed = false;
    try {
      String runId = server.execute("slow", "shut down under me");
      sse = SseStream.open(server.client, server.request("/agent/stream/" + runId).GET().build());
      WsSubscriber subscriber = new WsSubscriber(0);
      WsSubscriber.connect(HttpClient.newHttpClient(), server.base, runId, 0, subscriber)
          .get(20, TimeUnit.SECONDS);
      SseStream stream = sse;
      awaitChunks(() -> stream.events.size(), 2);

      closed = true;
      // the actor system shuts down (Coordinated Shutdown), as on SIGTERM
      CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
      sse.awaitDone(TestServer.DEADLINE);
      SseStream.Event last = sse.events.get(sse.events.size() - 1);
      assertEquals("resume", last.event(), sse.events.toString());
      long lastId = Long.parseLong(sse.events.get(sse.events.size() - 2).id());
      assertEquals(lastId + 1, last.json().get("from").asLong());

      WsSubscriber.Result ws = subscriber.done.get(20, TimeUnit.SECONDS);
      assertNotNull(ws.control(), "a last control frame");
      assertEquals("resume", ws.control().get("type").asText());
      assertEquals(ws.next(), ws.control().get("from").asLong());
      closing.get(60, TimeUnit.SECONDS);
    } finally {
      if (sse != null) {
        sse.close();
      }
      if (!closed) {
        server.close();
      }
    }
  }
}
