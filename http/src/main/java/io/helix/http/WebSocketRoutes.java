package io.helix.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentHandle;
import io.helix.stream.StreamStatus;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code GET /ws/{streamId}}: a stream's chunks as WebSocket text frames (the same JSON as the SSE
 * data), from {@code ?from=N} (inclusive, default 0). The server sends a ping frame after each
 * {@code helix.http.ws-keep-alive} of silence. When the stream ends the last frame is {@code
 * {"type":"stream_end","last":L,"next":N}} ({@code last} the offset of the stream's last chunk),
 * then the server closes with 1000; a subscription closed early (the client fell too far behind,
 * the server shuts down) ends with {@code {"type":"resume","from":N}} instead. With {@code
 * ?batch=true} a chunk frame is a JSON array of chunks: one while the client keeps up, all that
 * wait (up to {@code helix.http.ws-max-chunks-per-frame}) when it falls behind. (Pekko HTTP's
 * message API closes with 1000 and no reason, so the offset is in this last frame rather than the
 * close frame.)
 * A client frame {@code {"type":"abort","reason":"..."}} aborts the stream's run; other frames from
 * the client are read and ignored. An unknown stream is answered 404 and a deleted one 410, before
 * the upgrade.
 */
final class WebSocketRoutes extends AllDirectives {

  /** The type of a WebSocket frame a client sends to abort the stream's run. */
  static final String ABORT_FRAME = "abort";

  private final RequestParsing requests;
  private final RunDirectives runs;
  private final Subscriptions subscriptions;
  private final HttpSettings settings;
  private final QuotaGate quotas;

  WebSocketRoutes(
      RequestParsing requests,
      RunDirectives runs,
      Subscriptions subscriptions,
      HttpSettings settings,
      QuotaGate quotas) {
    this.quotas = quotas;
    this.requests = requests;
    this.runs = runs;
    this.subscriptions = subscriptions;
    this.settings = settings;
  }

  Route webSocket(String streamId) {
    return extractRequest(
        request ->
            originAllowed(request)
                ? stream(streamId)
                : complete(
                    Problems.corsOriginNotAllowed(
                        request.getHeader("Origin").map(HttpHeader::value).orElse(""))));
  }

  /**
   * A browser's WebSocket (it always sends {@code Origin}) only from this server's own pages or an
   * origin of {@code helix.http.cors.allowed-origins}: a WebSocket is not subject to CORS, so
   * without this check any site could open one with its visitor's credentials. Clients that send no
   * {@code Origin} (not browsers) are not concerned.
   */
  private boolean originAllowed(HttpRequest request) {
    Optional<String> origin = request.getHeader("Origin").map(HttpHeader::value);
    if (origin.isEmpty()) {
      return true;
    }
    List<String> allowed = settings.corsAllowedOrigins();
    if (allowed.contains("*") || allowed.contains(origin.get())) {
      return true;
    }
    try {
      URI from = URI.create(origin.get());
      String host = request.getHeader("Host").map(HttpHeader::value).orElse("");
      int port = from.getPort() == -1 ? ("https".equals(from.getScheme()) ? 443 : 80) : from.getPort();
      return host.equalsIgnoreCase(from.getHost() + ":" + port)
          || (from.getPort() == -1 && host.equalsIgnoreCase(from.getHost()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private Route stream(String streamId) {
    return requests.webSocketQuery(
        query -> {
          int perFrame = query.batch() ? settings.wsMaxChunksPerFrame() : 0;
          return runs.withStream(
              streamId,
              (handle, status) ->
                  quotas.withStreamSlot(
                      release ->
                          extractMaterializer(
                              materializer ->
                                  handleWebSocketMessages(
                                      Flow.fromSinkAndSourceCoupled(
                                          incoming(handle, materializer),
                                          frames(
                                              handle,
                                              query.from(),
                                              status,
                                              perFrame,
                                              release))))));
        });
  }

  /**
   * The frames of the stream from {@code offset} on: a text frame per chunk (or, when {@code
   * chunksPerFrame} is positive, per array of up to that many chunks, batched only while the socket
   * is behind), then a last control frame (end or resume) with the offset to go on from. A frame of
   * one chunk is the chunk's own message, shared by all its subscribers on this node.
   */
  private Source<Message, NotUsed> frames(
      AgentHandle handle,
      long offset,
      Optional<StreamStatus> status,
      int chunksPerFrame,
      Runnable release) {
    return subscriptions.subscribe(
        handle,
        offset,
        status,
        chunks -> {
          AtomicLong next = new AtomicLong(offset);
          return groups(chunks, chunksPerFrame)
              .map(Optional::of)
              // the end marker is rendered after the last chunk, with its offset
              .concat(Source.single(Optional.<List<RenderedChunk>>empty()))
              .<Message>map(
                  group -> {
                    if (group.isEmpty()) {
                      return TextMessage.create(Presenters.streamEnd(next.get()));
                    }
                    List<RenderedChunk> frame = group.get();
                    next.set(frame.get(frame.size() - 1).seq() + 1);
                    return chunksPerFrame > 0
                        ? TextMessage.create(
                            frame.stream()
                                .map(chunk -> chunk.chunk().toJsonString())
                                .collect(Collectors.joining(",", "[", "]")))
                        : frame.get(0).frame();
                  })
              .recover(
                  Throwable.class, () -> TextMessage.create(Presenters.resume(next.get())));
        },
        release);
  }

  /** The chunks a frame each, or when {@code chunksPerFrame} is positive, batched while behind. */
  private static Source<List<RenderedChunk>, NotUsed> groups(
      Source<RenderedChunk, NotUsed> chunks, int chunksPerFrame) {
    if (chunksPerFrame <= 0) {
      return chunks.map(List::of);
    }
    return chunks.batch(
        chunksPerFrame,
        chunk -> {
          List<RenderedChunk> group = new ArrayList<>();
          group.add(chunk);
          return group;
        },
        (group, chunk) -> {
          group.add(chunk);
          return group;
        });
  }

  /**
   * Reads what the client sends (a streamed message must be read to free the socket): a text frame
   * {@code {"type":"abort","reason":"..."}} aborts the stream's run; anything else (other JSON, not
   * JSON, binary, a text frame over {@code max-body-size}) is ignored.
   */
  private Sink<Message, NotUsed> incoming(AgentHandle handle, Materializer materializer) {
    int maxChars = (int) Math.min(Integer.MAX_VALUE, settings.maxBodySize());
    return Flow.<Message>create()
        .mapAsync(
            1,
            message -> {
              if (!message.isText()) {
                return message
                    .asBinaryMessage()
                    .getStreamedData()
                    .runWith(Sink.ignore(), materializer)
                    .<Object>thenApply(done -> done);
              }
              return message
                  .asTextMessage()
                  .getStreamedText()
                  .limitWeighted(maxChars, text -> (long) text.length())
                  .runFold(new StringBuilder(), StringBuilder::append, materializer)
                  .thenCompose(text -> onClientFrame(handle, text.toString()))
                  // a frame too long or an abort that failed: the subscription goes on
                  .<Object>handle((done, error) -> "");
            })
        .to(Sink.ignore());
  }

  private static CompletionStage<Object> onClientFrame(AgentHandle handle, String text) {
    JsonNode frame;
    try {
      frame = RequestBodies.JSON_READER.readTree(text);
    } catch (IOException e) {
      return CompletableFuture.completedFuture("");
    }
    if (frame == null
        || !frame.isObject()
        || !ABORT_FRAME.equals(frame.path("type").asText(null))) {
      return CompletableFuture.completedFuture("");
    }
    JsonNode reason = frame.get("reason");
    String why =
        reason != null && reason.isTextual() ? reason.textValue() : "aborted by a WebSocket client";
    return RunDirectives.invoke(() -> handle.abort(why)).thenApply(run -> run);
  }
}
