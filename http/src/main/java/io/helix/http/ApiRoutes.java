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
import io.helix.agent.RunStatus;
import io.helix.history.AgentStateRow;
import io.helix.history.RunFilter;
import io.helix.history.StateStore;
import io.helix.history.StoredMessage;
import io.helix.model.ToolSpec;
import io.helix.json.Json;
import io.helix.stream.StreamChunk;
import io.helix.stream.StreamStatus;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
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
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
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

  /**
   * Every route, as {@code METHOD /path} with {@code {name}} for a path segment: what {@link
   * #routes()} serves, kept equal to the OpenAPI document by {@code OpenApiConformanceTest}.
   */
  static final List<String> ROUTES =
      List.of(
          "POST /agent/execute",
          "GET /agent/stream/{runId}",
          "GET /agent/result/{runId}",
          "POST /agent/abort/{runId}",
          "GET /agent/state/{runId}",
          "GET /agent/runs",
          "GET /agent/agents",
          "GET /ws/{streamId}",
          "GET /openapi.json");

  /** The most messages or runs one page may hold. */
  static final int MAX_PAGE = 1000;

  static final int DEFAULT_MESSAGES_PAGE = 100;
  static final int DEFAULT_RUNS_PAGE = 50;

  /** The type of a WebSocket frame a client sends to abort the stream's run. */
  static final String ABORT_FRAME = "abort";

  private final AgentExecutor executor;
  private final AgentRegistry agents;
  private final StateStore history;
  private final HttpSettings settings;
  private final ErrorHandling errors;
  private final RequestGate gate;
  private final byte[] openApi;

  /** Aborted when the server shuts down: every SSE and WebSocket stream ends with its resume offset. */
  private final SharedKillSwitch shutdown = KillSwitches.shared("helix-http-shutdown");

  ApiRoutes(AgentExecutor executor, AgentRegistry agents, StateStore history, HttpSettings settings) {
    this.executor = executor;
    this.agents = agents;
    this.history = history;
    this.settings = settings;
    this.errors = new ErrorHandling(settings);
    this.gate = new RequestGate(settings);
    this.openApi = OpenApi.document();
  }

  /** The open SSE and WebSocket streams, by their completion. */
  private final java.util.Set<CompletionStage<org.apache.pekko.Done>> openStreams =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private NotUsed track(Object ignored, CompletionStage<org.apache.pekko.Done> done) {
    openStreams.add(done);
    done.whenComplete((ok, error) -> openStreams.remove(done));
    return NotUsed.notUsed();
  }

  /**
   * Ends every open SSE and WebSocket stream with a resume event/frame naming where to go on;
   * completes when they all have ended (and a moment for the last bytes to be written), at most
   * after {@code within}.
   */
  CompletionStage<org.apache.pekko.Done> endStreams(Duration within) {
    shutdown.abort(new ServerShuttingDownException());
    CompletableFuture<?>[] open =
        openStreams.stream()
            .map(stage -> stage.toCompletableFuture().exceptionally(error -> null))
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(open)
        .thenCompose(
            all ->
                CompletableFuture.runAsync(
                    () -> {},
                    CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS)))
        .completeOnTimeout(null, within.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(ignored -> org.apache.pekko.Done.getInstance());
  }

  /** Why the streams end when the server shuts down. */
  static final class ServerShuttingDownException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ServerShuttingDownException() {
      super("the server is shutting down", null, false, false);
    }
  }

  Route route() {
    return gate.wrap(errors::wrap, this::routes);
  }

  private Route routes() {
    return concat(
                ConsoleRoutes.route(),
                path("openapi.json", () -> get(() -> only(NO_PARAMS, this::openApi))),
                pathPrefix(
                    "agent",
                    () ->
                        concat(
                            path("execute", () -> post(() -> only(NO_PARAMS, this::execute))),
                            path(
                                segment("stream").slash(segment()),
                                runId -> get(() -> only(STREAM_PARAMS, () -> stream(runId)))),
                            path(
                                segment("result").slash(segment()),
                                runId -> get(() -> only(RESULT_PARAMS, () -> result(runId)))),
                            path(
                                segment("abort").slash(segment()),
                                runId -> post(() -> only(NO_PARAMS, () -> abort(runId)))),
                            path(
                                segment("state").slash(segment()),
                                runId -> get(() -> only(STATE_PARAMS, () -> state(runId)))),
                            path("runs", () -> get(() -> only(RUNS_PARAMS, this::listRuns))),
                            path("agents", () -> get(() -> only(NO_PARAMS, this::listAgents))))),
                path(
                    segment("ws").slash(segment()),
                    streamId -> get(() -> only(WS_PARAMS, () -> webSocket(streamId)))));
  }

  private static final List<String> NO_PARAMS = List.of();
  private static final List<String> STREAM_PARAMS = List.of("from", RequestGate.ACCESS_TOKEN_PARAM);
  private static final List<String> RESULT_PARAMS = List.of("wait");
  private static final List<String> STATE_PARAMS = List.of("offset", "limit", "includeThinking");
  static final List<String> RUNS_PARAMS =
      List.of("status", "agentType", "createdFrom", "createdBefore", "rootsOnly", "limit", "cursor");
  private static final List<String> WS_PARAMS =
      List.of("from", "batch", RequestGate.ACCESS_TOKEN_PARAM);

  /** 400 for a query parameter the route does not know: a misspelt one is an error, not ignored. */
  private Route only(List<String> known, Supplier<Route> inner) {
    return parameterMap(
        params -> {
          for (String name : params.keySet()) {
            if (!known.contains(name)) {
              throw new ProblemException(
                  Problems.invalidRequest(
                      "unknown query parameter '"
                          + abbreviate(name)
                          + "'"
                          + (known.isEmpty() ? "; this endpoint takes none" : "; known: " + known)));
            }
          }
          return inner.get();
        });
  }

  // ---- POST /agent/execute

  private Route execute() {
    return jsonBody(
        true,
        body -> {
          JsonNode request = requireObject(body.orElseThrow());
          onlyFields(request, "agentType", "message", "runId");
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
  private Source<ServerSentEvent, NotUsed> events(AgentHandle handle, long offset) {
    // per materialization: each has its own next offset
    return Source.fromMaterializer(
            (materializer, attributes) -> events(handle, offset, new AtomicLong(offset)))
        .watchTermination(this::track);
  }

  private Source<ServerSentEvent, NotUsed> events(
      AgentHandle handle, long offset, AtomicLong next) {
    return handle.stream(offset)
        // ends with the resume event when the server shuts down
        .via(shutdown.flow())
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
   * ends with {@code {"type":"resume","from":N}} instead. With {@code ?batch=true} a chunk frame is
   * a JSON array of chunks: one while the client keeps up, all that wait (up to {@code
   * helix.http.ws-max-chunks-per-frame}) when it falls behind. (Pekko HTTP's message API closes with
   * 1000 and no reason, so the offset is in this last frame rather than the close frame.) Messages
   * from the client are read and ignored. An unknown stream is answered 404 and a deleted one 410,
   * before the upgrade.
   */
  private Route webSocket(String streamId) {
    return parameterOptional(
        "from",
        from ->
            parameterOptional(
                "batch",
                batch -> {
                  long offset = from.map(value -> nonNegativeLong(value, "from")).orElse(0L);
                  int perFrame =
                      booleanParam(batch, "batch", false) ? settings.wsMaxChunksPerFrame() : 0;
                  return withStream(
                      streamId,
                      handle ->
                          extractMaterializer(
                              materializer ->
                                  handleWebSocketMessages(
                                      Flow.fromSinkAndSourceCoupled(
                                          incoming(handle, materializer),
                                          frames(handle, offset, perFrame)))));
                }));
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
  private Route withStreamNotDeleted(AgentHandle handle, Supplier<Route> inner) {
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
   * The frames of the stream from {@code offset} on: a text frame per chunk (or, when {@code
   * chunksPerFrame} is positive, per array of up to that many chunks, batched only while the socket
   * is behind), then a last control frame (end or resume) with the offset to go on from.
   */
  private Source<Message, NotUsed> frames(AgentHandle handle, long offset, int chunksPerFrame) {
    // per materialization: each has its own offsets
    return Source.fromMaterializer(
            (materializer, attributes) -> {
              AtomicLong accepted = new AtomicLong(offset);
              AtomicLong next = new AtomicLong(offset);
              Source<StreamChunk, NotUsed> chunks =
                  handle.stream(offset)
                      // ends with the resume frame when the server shuts down
                      .via(shutdown.flow())
                      // never a chunk before the offset, nor one twice
                      .filter(
                          chunk -> {
                            if (chunk.seq() < accepted.get()) {
                              return false;
                            }
                            accepted.set(chunk.seq() + 1);
                            return true;
                          });
              Source<List<StreamChunk>, NotUsed> groups =
                  chunksPerFrame > 0
                      ? chunks.batch(
                          chunksPerFrame,
                          chunk -> {
                            List<StreamChunk> group = new ArrayList<>();
                            group.add(chunk);
                            return group;
                          },
                          (group, chunk) -> {
                            group.add(chunk);
                            return group;
                          })
                      : chunks.map(List::of);
              return groups
                  .map(Optional::of)
                  // the end marker is rendered after the last chunk, with its offset
                  .concat(Source.single(Optional.<List<StreamChunk>>empty()))
                  .map(
                      group -> {
                        if (group.isEmpty()) {
                          long end = next.get();
                          return controlFrame(STREAM_END_FRAME, "last", end - 1, "next", end);
                        }
                        List<StreamChunk> frame = group.get();
                        next.set(frame.get(frame.size() - 1).seq() + 1);
                        return (Message)
                            TextMessage.create(
                                chunksPerFrame > 0
                                    ? frame.stream()
                                        .map(StreamChunk::toJsonString)
                                        .collect(Collectors.joining(",", "[", "]"))
                                    : frame.get(0).toJsonString());
                      })
                  .recover(
                      Throwable.class,
                      () -> controlFrame(RESUME_EVENT, "from", next.get(), null, 0));
            })
        .watchTermination(this::track);
  }

  private static Message controlFrame(
      String type, String field, long value, String otherField, long otherValue) {
    ObjectNode json = Json.object().put("type", type).put(field, value);
    if (otherField != null) {
      json.put(otherField, otherValue);
    }
    return TextMessage.create(Json.write(json));
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
      frame = JSON_READER.readTree(text);
    } catch (IOException e) {
      return CompletableFuture.completedFuture("");
    }
    if (frame == null
        || !frame.isObject()
        || !ABORT_FRAME.equals(frame.path("type").asText(null))) {
      return CompletableFuture.completedFuture("");
    }
    JsonNode reason = frame.get("reason");
    String why = reason != null && reason.isTextual() ? reason.textValue() : "aborted by a WebSocket client";
    return invoke(() -> handle.abort(why)).thenApply(run -> run);
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
                          onSuccess(
                              awaitEnd(handle, waitFor),
                              run -> completeJson(StatusCodes.OK, Json.toTree(run), List.of()))));
        });
  }

  /**
   * The run's status once it has ended or {@code wait} has passed ({@link
   * AgentHandle#result(Duration)}: nothing goes on waiting after the answer, and no stream is
   * subscribed for it).
   */
  private static CompletionStage<RunResult> awaitEnd(AgentHandle handle, Duration wait) {
    return handle.result(wait);
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
            JsonNode request = requireObject(body.get());
            onlyFields(request, "reason");
            reason = optionalString(request, "reason");
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
      json.set("outputSchema", agent.outputSchema());
      ArrayNode subAgents = json.putArray("subAgents");
      for (AgentDefinition sub : agent.subAgents()) {
        subAgents.add(sub.name());
      }
      // every tool as the model sees it: its own, a subagent__<name> per sub-agent, __finish__
      ArrayNode tools = json.putArray("tools");
      for (ToolSpec tool : agent.modelTools()) {
        ObjectNode t = tools.addObject();
        t.put("name", tool.name());
        t.put("description", tool.description());
        t.set("inputSchema", tool.inputSchema());
        t.put(
            "kind",
            tool.name().equals(AgentDefinition.FINISH_TOOL)
                ? "finish"
                : tool.name().startsWith(AgentDefinition.SUB_AGENT_PREFIX) ? "subagent" : "tool");
      }
    }
    ObjectNode json = Json.object();
    json.set("agents", list);
    return completeJson(StatusCodes.OK, json, List.of());
  }

  // ---- GET /openapi.json

  private Route openApi() {
    return complete(
        HttpResponse.create()
            .withStatus(StatusCodes.OK)
            .withEntity(ContentTypes.APPLICATION_JSON, openApi));
  }

  // ---- GET /agent/state/{runId}

  /**
   * The run's row of the read model with a page of its messages; while the read model has no row
   * yet (it trails the journal), the live run's status with {@code "projected": false} and no
   * messages. 404 only when neither knows the run.
   */
  private Route state(String runId) {
    return parameterOptional(
        "offset",
        offsetParam ->
            parameterOptional(
                "limit",
                limitParam ->
                    parameterOptional(
                        "includeThinking",
                        thinkingParam -> {
                          int offset = intParam(offsetParam, "offset", 0, 0, Integer.MAX_VALUE - 1);
                          int limit =
                              intParam(limitParam, "limit", DEFAULT_MESSAGES_PAGE, 0, MAX_PAGE);
                          boolean thinking = booleanParam(thinkingParam, "includeThinking", false);
                          CompletionStage<Optional<AgentStateRow>> row =
                              history == null
                                  ? CompletableFuture.completedFuture(Optional.empty())
                                  : invoke(() -> history.load(runId));
                          return onSuccess(
                              row,
                              found ->
                                  found.isPresent()
                                      ? projectedState(found.get(), offset, limit, thinking)
                                      : liveState(runId));
                        })));
  }

  private Route projectedState(AgentStateRow row, int offset, int limit, boolean thinking) {
    return onSuccess(
        queryHistory(() -> history.getMessages(row.runId(), offset, limit, thinking)),
        page -> {
          ObjectNode json = rowJson(row);
          json.put("projected", true);
          ArrayNode messages = json.putArray("messages");
          for (StoredMessage message : page.messages()) {
            ObjectNode m = (ObjectNode) Json.toTree(message);
            m.put("createdAt", Instant.ofEpochMilli(message.createdAt()).toString());
            messages.add(m);
          }
          json.put("offset", offset);
          json.put("total", page.total());
          json.put("hasMore", page.hasMore());
          return completeJson(StatusCodes.OK, json, List.of());
        });
  }

  private Route liveState(String runId) {
    return withHandle(
        runId,
        handle ->
            onSuccess(
                handle.status(),
                run -> {
                  ObjectNode json = Json.object();
                  json.put("runId", run.runId());
                  json.put("agentType", run.agentType());
                  json.put("streamId", run.streamId());
                  json.put("status", run.status().name());
                  json.put("stepCount", run.steps());
                  json.set("customState", run.state());
                  json.set("output", run.output());
                  json.put("error", run.error());
                  json.put("parentAgentId", run.parentRunId());
                  json.put("aborted", run.aborted());
                  json.put("abortReason", run.abortReason());
                  json.set("usage", Json.toTree(run.usage()));
                  json.putNull("createdAt");
                  json.putNull("updatedAt");
                  json.put("projected", false);
                  json.putArray("messages");
                  json.put("offset", 0);
                  json.put("total", 0);
                  json.put("hasMore", false);
                  return completeJson(StatusCodes.OK, json, List.of());
                }));
  }

  private static ObjectNode rowJson(AgentStateRow row) {
    ObjectNode json = Json.object();
    json.put("runId", row.runId());
    json.put("agentType", row.agentType());
    json.put("streamId", row.streamId());
    json.put("status", row.status().name());
    json.put("stepCount", row.stepCount());
    json.set("customState", row.customState());
    json.set("output", row.output());
    json.put("error", row.error());
    json.put("parentAgentId", row.parentAgentId());
    json.put("aborted", row.aborted());
    json.put("abortReason", row.abortReason());
    json.set("usage", Json.toTree(row.usage()));
    json.put("createdAt", Instant.ofEpochMilli(row.createdAt()).toString());
    json.put("updatedAt", Instant.ofEpochMilli(row.updatedAt()).toString());
    return json;
  }

  // ---- GET /agent/runs

  private Route listRuns() {
    return parameterMap(
        params -> {
          RunFilter filter = RunFilter.all();
          String status = params.get("status");
          if (status != null && !status.isEmpty()) {
            try {
              filter = filter.withStatus(RunStatus.valueOf(status));
            } catch (IllegalArgumentException e) {
              throw new ProblemException(
                  Problems.invalidRequest(
                      "'status' must be one of running, completed, failed; was '" + status + "'"));
            }
          }
          String agentType = params.get("agentType");
          if (agentType != null && !agentType.isEmpty()) {
            filter = filter.withAgentType(agentType);
          }
          Instant from = instantParam(params.get("createdFrom"), "createdFrom");
          Instant before = instantParam(params.get("createdBefore"), "createdBefore");
          filter = filter.createdBetween(from, before);
          filter =
              filter.withRootsOnly(
                  booleanParam(Optional.ofNullable(params.get("rootsOnly")), "rootsOnly", false));
          int limit =
              intParam(Optional.ofNullable(params.get("limit")), "limit", DEFAULT_RUNS_PAGE, 1, MAX_PAGE);
          String cursor = params.get("cursor");
          if (cursor != null && cursor.length() > 512) {
            throw new ProblemException(Problems.invalidRequest("'cursor' is not valid"));
          }
          if (history == null) {
            return complete(Problems.historyUnavailable());
          }
          RunFilter query = filter;
          String after = cursor == null || cursor.isEmpty() ? null : cursor;
          return onSuccess(
              queryHistory(() -> history.list(query, after, limit)),
              page -> {
                ObjectNode json = Json.object();
                ArrayNode runs = json.putArray("runs");
                page.runs().forEach(row -> runs.add(rowJson(row)));
                json.put("nextCursor", page.nextCursor());
                return completeJson(StatusCodes.OK, json, List.of());
              });
        });
  }

  /** A query of the read model; its IllegalArgumentException (a bad cursor, limit) is a 400. */
  private static <T> CompletionStage<T> queryHistory(
      Supplier<CompletionStage<T>> query) {
    return invoke(query)
        .exceptionallyCompose(
            error ->
                CompletableFuture.failedFuture(
                    ErrorHandling.unwrap(error) instanceof IllegalArgumentException invalid
                        ? new ProblemException(Problems.invalidRequest(invalid.getMessage()))
                        : error));
  }

  private static Instant instantParam(String value, String name) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (java.time.format.DateTimeParseException e) {
      try {
        return Instant.ofEpochMilli(Long.parseLong(value));
      } catch (NumberFormatException | java.time.DateTimeException ignored) {
        throw new ProblemException(
            Problems.invalidRequest(
                "'" + name + "' must be an ISO-8601 instant (2026-01-31T12:00:00Z) or epoch"
                    + " milliseconds"));
      }
    }
  }

  private static int intParam(Optional<String> value, String name, int fallback, int min, int max) {
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.get());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ProblemException(
        Problems.invalidRequest("'" + name + "' must be an integer in " + min + ".." + max));
  }

  private static boolean booleanParam(Optional<String> value, String name, boolean fallback) {
    if (value.isEmpty()) {
      return fallback;
    }
    return switch (value.get()) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new ProblemException(Problems.invalidRequest("'" + name + "' must be true or false"));
    };
  }

  /** 400 for a field not in {@code known}: a misspelt field is an error, not silently dropped. */
  private static void onlyFields(JsonNode body, String... known) {
    List<String> allowed = List.of(known);
    var names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new ProblemException(
            Problems.invalidRequest(
                "unknown field '" + abbreviate(name) + "'; the fields are " + allowed));
      }
    }
  }

  private static String abbreviate(String value) {
    return value.length() <= 64 ? value : value.substring(0, 64) + "...";
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
      Supplier<CompletionStage<T>> call) {
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
