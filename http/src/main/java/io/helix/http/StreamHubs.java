package io.helix.http;

import io.helix.agent.AgentHandle;
import io.helix.stream.StreamSettings;
import io.helix.stream.StreamStatus;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The {@link StreamHub}s of this node, one per stream with local subscribers near its live end: a
 * thousand SSE and WebSocket clients of one stream make one subscription to the stream's entity,
 * and each chunk is rendered to its SSE event and WebSocket frame once.
 *
 * <p>A subscriber joins the stream's hub when the hub still keeps its offset; otherwise it starts
 * the hub when its offset is near the stream's end (the hub then replays the few chunks in
 * between). A subscriber reading from further back (a catch-up from the journal, at its own pace)
 * or from an ended stream gets a subscription of its own, as does one whose stream's status is
 * unknown.
 */
final class StreamHubs {

  private final ConcurrentHashMap<String, StreamHub> hubs = new ConcurrentHashMap<>();
  private final LongAdder renders = new LongAdder();
  private final LongAdder upstreams = new LongAdder();
  // helix.stream.subscriber-buffer, read at the first subscription
  private volatile int capacity;

  /**
   * The stream's chunks from {@code offset} on, each once, with their wire forms; {@code status}
   * the stream's status when the subscriber came.
   */
  Source<RenderedChunk, NotUsed> subscribe(
      AgentHandle handle, long offset, Optional<StreamStatus> status) {
    return Source.fromMaterializer(
            (materializer, attributes) -> source(handle, offset, status, materializer))
        .mapMaterializedValue(ignored -> NotUsed.notUsed());
  }

  private Source<RenderedChunk, NotUsed> source(
      AgentHandle handle,
      long offset,
      Optional<StreamStatus> status,
      Materializer materializer) {
    String streamId = handle.streamId();
    int capacity = capacity(materializer);
    boolean nearLiveEnd =
        status
            .filter(s -> !s.ended() && offset <= s.nextOffset())
            .filter(s -> s.nextOffset() - offset <= capacity / 2)
            .isPresent();
    // a hub closing just now is replaced; a few tries are plenty
    for (int attempt = 0; attempt < 3; attempt++) {
      StreamHub hub = hubs.get(streamId);
      if (hub == null) {
        if (!nearLiveEnd) {
          break;
        }
        StreamHub fresh =
            new StreamHub(
                streamId, offset, capacity, renders, closed -> hubs.remove(streamId, closed));
        hub = hubs.putIfAbsent(streamId, fresh);
        if (hub == null) {
          Source<RenderedChunk, NotUsed> member = fresh.join(offset);
          upstreams.increment();
          fresh.start(handle.stream(offset), materializer);
          return member;
        }
      }
      Source<RenderedChunk, NotUsed> member = hub.join(offset);
      if (member != null) {
        return member;
      }
      if (!hub.isClosed()) {
        break;
      }
      hubs.remove(streamId, hub);
    }
    upstreams.increment();
    return handle.stream(offset).map(chunk -> new RenderedChunk(chunk, renders));
  }

  private int capacity(Materializer materializer) {
    if (capacity == 0) {
      capacity =
          StreamSettings.fromConfig(materializer.system().settings().config()).subscriberBuffer();
    }
    return capacity;
  }

  /** The subscribers of this stream served by its hub on this node. */
  int localSubscribers(String streamId) {
    StreamHub hub = hubs.get(streamId);
    return hub == null ? 0 : hub.members();
  }

  /** Subscriptions made to streams' entities so far: one per hub, one per lone subscriber. */
  long upstreams() {
    return upstreams.sum();
  }

  /** Wire forms rendered so far (an SSE event or a WebSocket frame of one chunk each). */
  long renders() {
    return renders.sum();
  }
}
