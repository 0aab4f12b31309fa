package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentHandle;
import io.helix.agent.RunResult;
import io.helix.json.Json;
import io.helix.stream.StreamChunk;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.LongStream;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A subscription that fails before its stream ends (the runtime closes a subscriber that fell too
 * far behind) ends the SSE response with a {@code resume} event naming the offset to go on from.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SseResumeEventTest {

  private static final int DELIVERED = 3;

  private final TestServer server = new TestServer();

  /**
   * A run whose stream delivers chunks from the asked offset up to {@link #DELIVERED}, then fails.
   */
  private final AgentExecutor failingStream =
      new AgentExecutor() {
        @Override
        public CompletionStage<AgentHandle> execute(io.helix.agent.RunRequest request) {
          return CompletableFuture.failedFuture(new UnsupportedOperationException());
        }

        @Override
        public CompletionStage<Optional<AgentHandle>> getHandle(String runId) {
          return CompletableFuture.completedFuture(Optional.of(new FailingHandle(runId)));
        }
      };

  private record FailingHandle(String runId) implements AgentHandle {
    @Override
    public CompletionStage<RunResult> result() {
      return new CompletableFuture<>();
    }

    @Override
    public CompletionStage<RunResult> result(java.time.Duration atMost) {
      return new CompletableFuture<>();
    }

    @Override
    public CompletionStage<RunResult> status() {
      return new CompletableFuture<>();
    }

    @Override
    public Source<StreamChunk, NotUsed> stream(long fromOffset) {
      List<StreamChunk> chunks =
          LongStream.range(fromOffset, DELIVERED)
              .mapToObj(
                  seq ->
                      StreamChunk.of(
                              "text_delta",
                              runId,
                              "stub",
                              1,
                              seq,
                              Json.object().put("delta", "w" + seq))
                          .withSeq(seq))
              .toList();
      // the failure only once the chunks are out (Source.failed would fail the concat at once)
      return Source.from(chunks)
          .concat(
              Source.lazySource(
                      () ->
                          Source.<StreamChunk>failed(
                              new BufferOverflowException("subscriber fell behind")))
                  .mapMaterializedValue(ignored -> NotUsed.notUsed()));
    }

    @Override
    public CompletionStage<RunResult> abort(String reason) {
      return new CompletableFuture<>();
    }
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private SseStream open(URI base, long from) {
    return SseStream.open(
            server.client,
            HttpRequest.newBuilder(base.resolve("/agent/stream/r1?from=" + from)).GET().build())
        .awaitDone(TestServer.DEADLINE);
  }

  @Test
  void aFailedSubscriptionEndsWithAResumeEvent() {
    URI base = server.bind(failingStream);
    SseStream sse = open(base, 1);
    assertEquals(DELIVERED, sse.events.size(), "two chunks and the resume event: " + sse.events);
    assertEquals(
        List.of("1", "2"), sse.events.subList(0, 2).stream().map(SseStream.Event::id).toList());
    SseStream.Event resume = sse.events.get(2);
    assertEquals("resume", resume.event());
    assertNull(resume.id(), "the resume event leaves the last event id as it was");
    JsonNode data = resume.json();
    assertEquals("resume", data.get("type").asText());
    assertEquals(DELIVERED, data.get("from").asLong());

    // nothing delivered before the failure: resume where it was asked to start
    SseStream none = open(base, DELIVERED);
    assertEquals(1, none.events.size());
    assertEquals(DELIVERED, none.events.get(0).json().get("from").asLong());
  }
}
