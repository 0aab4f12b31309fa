package io.helix.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunResult;
import io.helix.agent.Tool;
import io.helix.json.Json;
import io.helix.stream.StreamChunk;
import io.helix.stream.StreamStatus;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/** The routes of {@link HttpApi}; see there for the endpoints and their errors. */
final class ApiRoutes extends AllDirectives {

  static final String LAST_EVENT_ID = "Last-Event-ID";

  /** The SSE event type of the control event sent when a subscription is closed before its end. */
  static final String RESUME_EVENT = "resume";

  /** The type of the last WebSocket frame of a stream that ended. */
  static final String STREAM_END_FRAME = "stream_end";

  /** An SSE comment line. */
  static final ByteString HEARTBEAT = ByteString.fromString(": heartbeat\n\n");

  /** Parses one JSON document; text after it is an error, not ignored. */
  private static final ObjectReader JSON_READER =
      Json.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final AgentExecutor executor;
  private final AgentRegistry agents;
  private final HttpSettings settings;
  private final ErrorHandling errors;

  ApiRoutes(AgentExecutor executor, AgentRegistry agents, HttpSettings settings) {
    this.executor = executor;
    this.agents = agents;
    this.settings = settings;
    this.errors = new ErrorHandling(settings);
  }

  Route route() {
    return errors.wrap(
        () ->
            concat(
                pathPrefix(
                    "agent",
                    () ->
                        concat(
                            path("execute", () -> post(this::execute)),
                            path(
                                segment("stream").slash(segment()),
                                runId -> get(() -> stream(runId))),
                            path(
                                segment("result").slash(segment()),
                                runId -> get(() -> result(runId))),
                            path(
                                segment("abort").slash(segment()),
                                runId -> post(() -> abort(runId))),
                            path("agents", () -> get(this::listAgents)))),
                path(segment("ws").slash(segment()), streamId -> get(() -> webSocket(streamId)))));
  }

  // ---- POST /agent/execute

  private Route execute() {
    return jsonBody(
        true,
        body -> {
          JsonNode request = requireObject(body.orElseThrow());
          String agentType = requiredString(request, "agentType");
          String message = requiredString(request, "message");
          String runId = optionalString(request, "runId");
          if (agentType.isBlank()) {
            throw new ProblemException(Problems.invalidRequest("'agentType' must not be blank"));
          }
          CompletionStage<AgentHandle> started =
              invoke(() -> executor.execute(agentType, message, runId))
                  .exceptionallyCompose(
                      error ->
                          CompletableFuture.failedFuture(
                              ErrorHandling.unwrap(error)
                                      instanceof IllegalArgumentException invalid
                                  ? new ProblemException(
                                      Problems.invalidRequest(invalid.getMessage()))
                                  : error));
          return onSuccess(
              started,
              handle -> {
                ObjectNode json = Json.object();
                json.put("runId", handle.runId());
                json.put("streamUrl", streamUrl(handle.runId()));
                json.put("resultUrl", resultUrl(handle.runId()));
                List<HttpHeader> location = List.of(Location.create(resultUrl(handle.runId())));
                return completeJson(StatusCodes.ACCEPTED, json, location);
              });
        });
  }

  static String streamUrl(String runId) {
    return "/agent/stream/" + runId;
  }

  static String resultUrl(String runId) {
    return "/agent/result/" + runId;
  }

  // ---- GET /agent/stream/{runId}

  private Route stream(String runId) {
    return optionalHeaderValueByName(
        LAST_EVENT_ID,
        lastEventId ->
            parameterOptional(
                "from",
                from -> {
                  // Last-Event-ID wins: a reconnecting EventSource sends it with its original URL
                  long offset =
                      lastEventId.isPresent()
                          ? nonNegativeLong(lastEventId.get().trim(), LAST_EVENT_ID) + 1
                          : from.map(value -> nonNegativeLong(value, "from")).orElse(0L);
                  return withHandle(
                      runId,
                      handle -> withStreamNotDeleted(handle, () -> eventStream(handle, offset)));
                }));
  }

  private Route eventStream(AgentHandle handle, long offset) {
    return respondWithHeaders(
        List.of(
            CacheControl.create(CacheDirectives.NO_CACHE),
            RawHeader.create("X-Accel-Buffering", "no")),
        () ->
            mapResponseEntity(
                this::withHeartbeats,
                () -> completeOK(events(handle, offset), EventStreamMarshalling.toEventStream())));
  }

  /**
   * The run's chunks from {@code offset} on as SSE events ({@code id} = offset, {@code data} = the
   * chunk's JSON; no {@code event} field, so an EventSource's {@code onmessage} sees every chunk).
   * When the subscription fails before the stream ends (the client fell too far behind), a {@code
   * resume} event names the offset to reconnect from, and the response ends.
   */
  private static Source<ServerSentEvent, NotUsed> events(AgentHandle handle, long offset) {
    // per materialization: each has its own next offset
    return Source.fromMaterializer(
            (materializer, attributes) -> events(handle, offset, new AtomicLong(offset)))
        .mapMaterializedValue(ignored -> NotUsed.notUsed());
  }

  private static Source<ServerSentEvent, NotUsed> events(
      AgentHandle handle, long offset, AtomicLong next) {
    return handle.stream(offset)
        // never a chunk before the offset, nor one twice
        .filter(chunk -> chunk.seq() >= next.get())
        .map(
            chunk -> {
              next.set(chunk.seq() + 1);
              return toEvent(chunk);
            })
        .recover(
            Throwable.class,
            () ->
                ServerSentEvent.create(
                    Json.write(Json.object().put("type", RESUME_EVENT).put("from", next.get())),
                    RESUME_EVENT));
  }

  /**
   * Adds a heartbeat after each {@code sse-heartbeat} of silence: a comment line, which every SSE
   * client skips. (Pekko's {@code ServerSentEvent.heartbeat()} is an event with empty data, which
   * an EventSource dispatches to {@code onmessage} as a message of empty data.) The marshalled
   * entity holds one event per element, so a comment never splits an event.
   */
  private ResponseEntity withHeartbeats(ResponseEntity events) {
    return HttpEntities.createChunked(
        events.getContentType(),
        events.getDataBytes().keepAlive(settings.sseHeartbeat(), () -> HEARTBEAT));
  }

  static ServerSentEvent toEvent(StreamChunk chunk) {
    return ServerSentEvent.create(
        chunk.toJsonString(),
        Optional.empty(),
        Optional.of(Long.toString(chunk.seq())),
        java.util.OptionalInt.empty());
  }


  // ---- GET /ws/{streamId}

  /**
   * The stream's chunks as WebSocket text frames (the same JSON as the SSE data), from {@code
   * ?from=N} (inclusive, default 0). The server sends a ping frame after each {@code
   * helix.http.ws-keep-alive} of silence. When the stream ends the last frame is {@code
   * {"type":"stream_end","last":L,"next":N}} ({@code last} the offset of the stream's last chunk),
   * then the server closes with 1000; a subscription closed early (the client fell too far behind)
   * ends with {@code {"type":"resume","from":N}} instead. (Pekko HTTP's message API closes with
   * 1000 and no reason, so the offset is in this last frame rather than the close frame.) Messages
   * from the client are read and ignored. An unknown stream is answered 404 and a deleted one 410,
   * before the upgrade.
   */
  private Route webSocket(String streamId) {
    return parameterOptional(
        "from",
        from -> {
          long offset = from.map(value -> nonNegativeLong(value, "from")).orElse(0L);
          return withStream(
              streamId,
              handle ->
                  extractMaterializer(
                      materializer ->
                          handleWebSocketMessages(
                              Flow.fromSinkAndSourceCoupled(
                                  ignoreIncoming(materializer), frames(handle, offset)))));
        });
  }

  /** The stream of this id, or 404; 410 when it was deleted. A stream's id is its root run's id. */
  private Route withStream(String streamId, Function<AgentHandle, Route> inner) {
    return onSuccess(
        invoke(() -> executor.getHandle(streamId)),
        found -> {
          if (found.isEmpty()) {
            return complete(Problems.streamNotFound("no stream has id '" + streamId + "'"));
          }
          AgentHandle handle = found.get();
          if (!handle.streamId().equals(streamId)) {
            return complete(
                Problems.streamNotFound(
                    "'"
                        + streamId
                        + "' is a sub-agent's run; its chunks are in stream '"
                        + handle.streamId()
                        + "'"));
          }
          return withStreamNotDeleted(handle, () -> inner.apply(handle));
        });
  }

  /** {@code inner}, unless the handle's stream was deleted after its retention (410). */
  private Route withStreamNotDeleted(AgentHandle handle, java.util.function.Supplier<Route> inner) {
    CompletionStage<Optional<StreamStatus>> status =
        invoke(handle::streamStatus)
            .thenApply(Optional::of)
            .exceptionallyCompose(
                error ->
                    ErrorHandling.unwrap(error) instanceof UnsupportedOperationException
                        ? CompletableFuture.completedFuture(Optional.<StreamStatus>empty())
                        : CompletableFuture.failedFuture(error));
    return onSuccess(
        status,
        known ->
            known
                .filter(StreamStatus::deleted)
                .map(
                    deleted ->
                        complete(
                            Problems.streamDeleted(
                                deleted.streamId(), deleted.endedAt(), deleted.deletedAt())))
                .orElseGet(inner));
  }

  /**
   * The frames of the stream from {@code offset} on: a text frame per chunk, then a last control
   * frame (end or resume) with the offset to go on from.
   */
  private static Source<Message, NotUsed> frames(AgentHandle handle, long offset) {
    // per materialization: each has its own next offset
    return Source.fromMaterializer(
            (materializer, attributes) -> {
              AtomicLong next = new AtomicLong(offset);
              return handle.stream(offset)
                  // never a chunk before the offset, nor one twice
                  .filter(chunk -> chunk.seq() >= next.get())
                  .map(Optional::of)
                  // the end marker is rendered after the last chunk, with its offset
                  .concat(Source.single(Optional.<StreamChunk>empty()))
                  .map(
                      chunk -> {
                        if (chunk.isEmpty()) {
                          long end = next.get();
                          return controlFrame(STREAM_END_FRAME, "last", end - 1, "next", end);
                        }
                        next.set(chunk.get().seq() + 1);
                        return (Message) TextMessage.create(chunk.get().toJsonString());
                      })
                  .recover(
                      Throwable.class,
                      () -> controlFrame(RESUME_EVENT, "from", next.get(), null, 0));
            })
        .mapMaterializedValue(ignored -> NotUsed.notUsed());
  }

  private static Message controlFrame(
      String type, String field, long value, String otherField, long otherValue) {
    ObjectNode json = Json.object().put("type", type).put(field, value);
    if (otherField != null) {
      json.put(otherField, otherValue);
    }
    return TextMessage.create(Json.write(json));
  }

  /** Reads and drops what the client sends (a streamed message must be read to free the socket). */
  private static Sink<Message, NotUsed> ignoreIncoming(Materializer materializer) {
    return Flow.<Message>create()
        .mapAsync(
            1,
            message ->
                message.isText()
                    ? message.asTextMessage().getStreamedText().runWith(Sink.ignore(), materializer)
                    : message
                        .asBinaryMessage()
                        .getStreamedData()
                        .runWith(Sink.ignore(), materializer))
        .to(Sink.ignore());
  }

  // ---- GET /agent/result/{runId}

  private Route result(String runId) {
    return parameterOptional(
        "wait",
        wait -> {
          Duration waitFor = wait.map(this::waitDuration).orElse(Duration.ZERO);
          return withRequestTimeout(
              settings.requestTimeout().plus(waitFor),
              errors::requestTimedOut,
              () ->
                  withHandle(
                      runId,
                      handle ->
                          extractMaterializer(
                              materializer ->
                                  onSuccess(
                                      awaitEnd(handle, waitFor, materializer),
                                      run ->
                                          completeJson(
                                              StatusCodes.OK, Json.toTree(run), List.of())))));
        });
  }

  /**
   * The run's status once it has ended or {@code wait} has passed. It waits on the end of the run's
   * stream (which ends only after the run's end is persisted), so a client that gives up leaves
   * nothing waiting behind it.
   */
  private static CompletionStage<RunResult> awaitEnd(
      AgentHandle handle, Duration wait, Materializer materializer) {
    if (wait.isZero()) {
      return handle.status();
    }
    return handle
        .status()
        .thenCompose(
            now -> {
              if (now.status().isTerminal()) {
                return CompletableFuture.completedFuture(now);
              }
              return handle.stream(Long.MAX_VALUE)
                  .takeWithin(wait)
                  .runWith(Sink.ignore(), materializer)
                  // a failed subscription only ends the wait early
                  .handle((done, error) -> done)
                  .thenCompose(ignored -> handle.status());
            });
  }

  private Duration waitDuration(String value) {
    BigDecimal seconds;
    try {
      seconds = new BigDecimal(value.trim());
    } catch (NumberFormatException e) {
      throw new ProblemException(
          Problems.invalidRequest("'wait' must be a number of seconds, was '" + value + "'"));
    }
    if (seconds.signum() < 0) {
      throw new ProblemException(Problems.invalidRequest("'wait' must not be negative"));
    }
    BigDecimal maxMillis = BigDecimal.valueOf(settings.resultWaitMax().toMillis());
    BigDecimal millis = seconds.movePointRight(3).min(maxMillis);
    return Duration.ofMillis(millis.longValue());
  }

  // ---- POST /agent/abort/{runId}

  private Route abort(String runId) {
    return jsonBody(
        false,
        body -> {
          String reason = null;
          if (body.isPresent()) {
            reason = optionalString(requireObject(body.get()), "reason");
          }
          String why = reason;
          return withHandle(
              runId,
              handle ->
                  onSuccess(
                      handle.abort(why),
                      run -> completeJson(StatusCodes.OK, Json.toTree(run), List.of())));
        });
  }

  // ---- GET /agent/agents

  private Route listAgents() {
    ArrayNode list = Json.mapper().createArrayNode();
    for (AgentDefinition agent : agents.all()) {
      ObjectNode json = list.addObject();
      json.put("name", agent.name());
      json.put("description", agent.description());
      json.put("model", agent.model());
      json.put("maxSteps", agent.maxSteps());
      ArrayNode tools = json.putArray("tools");
      for (Tool tool : agent.tools()) {
        ObjectNode t = tools.addObject();
        t.put("name", tool.name());
        t.put("description", tool.description());
        t.set("inputSchema", tool.inputSchema());
      }
    }
    ObjectNode json = Json.object();
    json.set("agents", list);
    return completeJson(StatusCodes.OK, json, List.of());
  }

  // ---- building blocks

  /** The run's handle, or 404 when there is no such run. */
  private Route withHandle(String runId, Function<AgentHandle, Route> inner) {
    return onSuccess(
        invoke(() -> executor.getHandle(runId)),
        found -> found.map(inner).orElseGet(() -> complete(Problems.runNotFound(runId))));
  }

  /**
   * The request's JSON body: 415 unless it is JSON, 413 when too large, 400 when malformed; an
   * empty body is 400 when {@code required}, else empty.
   */
  private Route jsonBody(boolean required, Function<Optional<JsonNode>, Route> inner) {
    return extractRequestEntity(
        entity -> {
          if (entity.isKnownEmpty()) {
            return emptyBody(required, inner);
          }
          if (!isJson(entity.getContentType())) {
            return complete(Problems.unsupportedMediaType(entity.getContentType()));
          }
          if (entity.getContentLengthOption().orElse(0) > settings.maxBodySize()) {
            return complete(Problems.payloadTooLarge(settings.maxBodySize()));
          }
          return extractMaterializer(
              materializer ->
                  onComplete(
                      entity
                          .withSizeLimit(settings.maxBodySize())
                          .toStrict(settings.bodyReadTimeout().toMillis(), materializer),
                      read -> {
                        if (read.isFailure()) {
                          Throwable error = ErrorHandling.unwrap(read.failed().get());
                          if (error instanceof EntityStreamSizeException) {
                            return complete(Problems.payloadTooLarge(settings.maxBodySize()));
                          } else if (error instanceof TimeoutException) {
                            return complete(Problems.bodyReadTimeout());
                          }
                          throw new IllegalStateException("reading the request body failed", error);
                        }
                        HttpEntity.Strict strict = read.get();
                        if (strict.getData().isEmpty()) {
                          return emptyBody(required, inner);
                        }
                        return inner.apply(Optional.of(parse(strict.getData().toArray())));
                      }));
        });
  }

  private Route emptyBody(boolean required, Function<Optional<JsonNode>, Route> inner) {
    if (required) {
      return complete(Problems.invalidRequest("a JSON body is required"));
    }
    return inner.apply(Optional.empty());
  }

  private static boolean isJson(ContentType contentType) {
    MediaType media = contentType.mediaType();
    return media.isApplication()
        && (media.subType().equals("json") || media.subType().endsWith("+json"));
  }

  private static JsonNode parse(byte[] body) {
    try {
      JsonNode node = JSON_READER.readTree(body);
      if (node == null || node.isMissingNode()) {
        throw new ProblemException(Problems.malformedJson("the body holds no JSON value"));
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ProblemException(Problems.malformedJson(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new ProblemException(Problems.malformedJson("the body is not readable JSON"));
    }
  }

  private static JsonNode requireObject(JsonNode body) {
    if (!body.isObject()) {
      throw new ProblemException(Problems.invalidRequest("the body must be a JSON object"));
    }
    return body;
  }

  private static String requiredString(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw new ProblemException(Problems.invalidRequest("'" + field + "' is required"));
    }
    if (!value.isTextual()) {
      throw new ProblemException(Problems.invalidRequest("'" + field + "' must be a string"));
    }
    return value.textValue();
  }

  private static String optionalString(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new ProblemException(Problems.invalidRequest("'" + field + "' must be a string"));
    }
    return value.textValue();
  }

  private static long nonNegativeLong(String value, String name) {
    try {
      long parsed = Long.parseLong(value);
      if (parsed >= 0 && parsed < Long.MAX_VALUE) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ProblemException(
        Problems.invalidRequest(
            "'" + name + "' must be a non-negative integer, was '" + value + "'"));
  }

  /** Calls the runtime; a synchronous throw becomes a failed stage, answered like one. */
  private static <T> CompletionStage<T> invoke(
      java.util.function.Supplier<CompletionStage<T>> call) {
    try {
      CompletionStage<T> stage = call.get();
      return stage == null
          ? CompletableFuture.failedFuture(new IllegalStateException("the runtime answered null"))
          : stage;
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private Route completeJson(StatusCode status, JsonNode body, List<HttpHeader> headers) {
    return complete(
        HttpResponse.create()
            .withStatus(status)
            .addHeaders(headers)
            .withEntity(
                ContentTypes.APPLICATION_JSON, Json.write(body).getBytes(StandardCharsets.UTF_8)));
  }
}
