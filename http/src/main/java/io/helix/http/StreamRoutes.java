package io.helix.http;

import io.helix.agent.AgentHandle;
import io.helix.stream.StreamStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.marshalling.Marshaller;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /agent/stream/{runId}}: a run's chunks as Server-Sent Events, from {@code
 * Last-Event-ID} + 1, else {@code ?from=}, else 0; with heartbeats; ending with a {@code resume}
 * event when the subscription is closed before the stream's end. Reading an ended stream from its
 * end or past it answers {@code 204 No Content}: a browser's EventSource, which reconnects whenever
 * a response ends, stops only on a 204 (or an error status).
 */
final class StreamRoutes extends AllDirectives {

  /** An SSE comment line. */
  static final ByteString HEARTBEAT = ByteString.fromString(": heartbeat\n\n");

  /** Events' bytes as a {@code text/event-stream} (negotiated: other {@code Accept}s get 406). */
  private final Marshaller<Source<ByteString, NotUsed>, RequestEntity> eventStreamOf =
      Marshaller.withFixedContentType(
          ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM),
          events -> HttpEntities.createChunked(
              ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), withHeartbeats(events)));

  private final RequestParsing requests;
  private final RunDirectives runs;
  private final Subscriptions subscriptions;
  private final Duration heartbeat;
  private final QuotaGate quotas;
  private final StreamTickets tickets;
  private final RequestBodies bodies;

  StreamRoutes(
      RequestParsing requests,
      RunDirectives runs,
      Subscriptions subscriptions,
      Duration heartbeat,
      QuotaGate quotas,
      StreamTickets tickets,
      RequestBodies bodies) {
    this.tickets = tickets;
    this.bodies = bodies;
    this.quotas = quotas;
    this.requests = requests;
    this.runs = runs;
    this.subscriptions = subscriptions;
    this.heartbeat = heartbeat;
  }

  /**
   * A ticket that opens the stream of run {@code runId} once ({@code /agent/stream/{runId}}, and
   * {@code /ws/{runId}} for a root run), for the request's principal (its own run, or any for an
   * admin): 201 with the ticket, its expiry and the URLs to use it with; 404 otherwise.
   */
  Route ticket(String runId) {
    String streamId = runId;
    return bodies.emptyBody(
        () ->
            runs.withPrincipal(
                principal ->
                    runs.withRun(
                        runId,
                        handle -> {
                          StreamTickets.Ticket ticket = tickets.issue(principal, streamId);
                          com.fasterxml.jackson.databind.node.ObjectNode json =
                              io.helix.json.Json.object();
                          json.put("ticket", ticket.ticket());
                          json.put("expiresAt", ticket.expiresAt().toString());
                          json.put("streamUrl", "/agent/stream/" + streamId + "?ticket=" + ticket.ticket());
                          json.put("webSocketUrl", "/ws/" + streamId + "?ticket=" + ticket.ticket());
                          return complete(
                              Presenters.ok(json).withStatus(
                                  org.apache.pekko.http.javadsl.model.StatusCodes.CREATED));
                        })));
  }

  Route stream(String runId) {
    return requests.streamOffset(
        offset ->
            runs.withRun(
                runId,
                handle ->
                    runs.withStreamNotDeleted(
                        handle,
                        status ->
                            status.filter(s -> s.ended() && offset >= s.nextOffset()).isPresent()
                                // nothing will come: 204 makes an EventSource stop reconnecting
                                ? complete(StatusCodes.NO_CONTENT)
                                : quotas.withStreamSlot(
                                    release -> eventStream(handle, offset, status, release)))));
  }

  private Route eventStream(
      AgentHandle handle, long offset, Optional<StreamStatus> status, Runnable release) {
    return respondWithHeaders(
        List.of(
            CacheControl.create(CacheDirectives.NO_CACHE),
            RawHeader.create("X-Accel-Buffering", "no")),
        () -> completeOK(events(handle, offset, status, release), eventStreamOf));
  }

  /**
   * The run's chunks from {@code offset} on as SSE events ({@code id} = offset, {@code data} = the
   * chunk's JSON; no {@code event} field, so an EventSource's {@code onmessage} sees every chunk),
   * each event's bytes shared by the stream's subscribers on this node. When the subscription
   * fails before the stream ends (the client fell too far behind, the server shuts down), a {@code
   * resume} event names the offset to reconnect from, and the response ends.
   */
  private Source<ByteString, NotUsed> events(
      AgentHandle handle, long offset, Optional<StreamStatus> status, Runnable release) {
    return subscriptions.subscribe(
        handle,
        offset,
        status,
        chunks -> {
          AtomicLong next = new AtomicLong(offset);
          return chunks
              .map(
                  chunk -> {
                    next.set(chunk.seq() + 1);
                    return chunk.sse();
                  })
              .recover(
                  Throwable.class,
                  () ->
                      RenderedChunk.sseEvent(
                          Presenters.resume(next.get()), Presenters.RESUME, null));
        },
        release);
  }

  /**
   * Adds a heartbeat after each {@code sse-heartbeat} of silence: a comment line, which every SSE
   * client skips. (Pekko's {@code ServerSentEvent.heartbeat()} is an event with empty data, which
   * an EventSource dispatches to {@code onmessage} as a message of empty data.) Each element is a
   * whole event, so a comment never splits one.
   */
  private Source<ByteString, NotUsed> withHeartbeats(Source<ByteString, NotUsed> events) {
    return events.keepAlive(heartbeat, () -> HEARTBEAT);
  }
}
