package io.helix.http;

import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentHandle;
import io.helix.agent.PendingRequest;
import io.helix.agent.RunRequest;
import io.helix.agent.SessionView;
import io.helix.json.Json;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The Vercel AI SDK's chat endpoint, so a {@code useChat} front end works unchanged: {@code POST
 * /api/chat} takes the request {@code DefaultChatTransport} sends and answers its UI message stream
 * ({@link UiMessageStream}); {@code GET /api/chat/{chatId}/stream} resumes the chat's answer in
 * progress (replayed from its start, as the SDK expects), or answers 204 when none is.
 *
 * <p>A chat is a session ({@code POST /agent/execute} with a {@code sessionId}) of the request
 * principal's: its id is the chat's id, and each user turn is a run of it keyed {@code
 * <chatId>:<turn>}, so a request sent again finds its run instead of starting another. The run is
 * given the last user message; the session gives the model the earlier turns (as the server
 * recorded them, whatever the client sends back of them).
 */
final class ChatRoutes extends AllDirectives {

  private final AgentExecutor executor;
  private final RequestBodies requests;
  private final Subscriptions subscriptions;
  private final Duration heartbeat;
  private final QuotaGate quotas;
  private final RunDirectives runs;

  ChatRoutes(
      AgentExecutor executor,
      RequestBodies requests,
      RunDirectives runs,
      Subscriptions subscriptions,
      Duration heartbeat,
      QuotaGate quotas) {
    this.quotas = quotas;
    this.runs = runs;
    this.executor = executor;
    this.requests = requests;
    this.subscriptions = subscriptions;
    this.heartbeat = heartbeat;
  }

  Route chat() {
    return requests.chatRequest(
        chat ->
            runs.withPrincipal(
                principal -> {
                  String owner = Ownership.ownerOf(principal);
                  if (chat.text() != null) {
                    RunRequest turn =
                        RunRequest.of(chat.agentType(), chat.text())
                            .withRunId(chat.chatId() + ":" + chat.turn())
                            .withSessionId(chat.chatId())
                            .withOwner(owner);
                    return quotas.withRunQuota(
                        slot ->
                            onSuccess(
                                RunDirectives.invokeValidating(
                                    () -> slot.start(() -> executor.execute(turn))),
                                handle -> uiStream(handle, 0, -1)));
                  }
                  return extractMaterializer(
                      materializer ->
                          onSuccess(
                              lastTurn(owner, chat.chatId()),
                              handle ->
                                  handle.isEmpty()
                                      ? complete(Problems.sessionNotFound(chat.chatId()))
                                      : onSuccess(
                                          answer(handle.get(), chat, materializer),
                                          from ->
                                              uiStream(handle.get(), from.offset(), from.step()))));
                }));
  }

  /** Where a continued message's stream starts: after what was sent, at the run's step then. */
  private record Continue(long offset, int step) {}

  /**
   * Gives the run what the client answered (tool approvals, client tools' results) for what it
   * waits for; what it does not wait for is left (the message carries earlier answers too).
   */
  private CompletionStage<Continue> answer(
      AgentHandle run, RequestBodies.ChatRequest chat, Materializer materializer) {
    return run.streamStatus()
        .thenCombine(
            run.status(),
            (stream, status) -> {
              CompletableFuture<?> given = CompletableFuture.completedFuture(null);
              for (PendingRequest pending : status.pending()) {
                for (RequestBodies.ChatApproval approval : chat.approvals()) {
                  if (approval.approvalId().equals(pending.approvalId())) {
                    given =
                        given.thenCompose(
                            x ->
                                run.approve(
                                        approval.approvalId(), approval.approved(), approval.reason())
                                    .toCompletableFuture());
                  }
                }
                for (RequestBodies.ChatToolOutput output : chat.toolOutputs()) {
                  if (PendingRequest.CLIENT_TOOL.equals(pending.kind())
                      && output.toolCallId().equals(pending.toolCallId())) {
                    given =
                        given.thenCompose(
                            x ->
                                run.submitToolResult(
                                        output.toolCallId(), output.result(), output.error())
                                    .toCompletableFuture());
                  }
                }
              }
              return given.thenCompose(done -> lastStop(run, stream.nextOffset(), materializer));
            })
        .thenCompose(continued -> continued);
  }

  /**
   * Where the previous response of the turn stopped: just after the run's last wait ({@code
   * run_status} suspended or interrupted) before {@code end}; what came after it (a tool that ran
   * on while the run waited) belongs to the continued message.
   */
  private static CompletionStage<Continue> lastStop(
      AgentHandle run, long end, Materializer materializer) {
    UiMessageStream protocol = new UiMessageStream(run.runId());
    return run.stream(0)
        .take(end)
        .runWith(
            Sink.fold(
                new Continue(0, -1),
                (stop, chunk) ->
                    protocol.ends(chunk) ? new Continue(chunk.seq() + 1, chunk.step()) : stop),
            materializer);
  }

  Route resume(String chatId) {
    return runs.withPrincipal(
        principal ->
            onSuccess(
                RunDirectives.invoke(
                    () -> executor.getSession(Ownership.ownerOf(principal), chatId)),
                session -> {
                  Optional<String> active = session.map(SessionView::activeRunId);
                  if (active.isEmpty()) {
                    return complete(StatusCodes.NO_CONTENT); // nothing in progress
                  }
                  return onSuccess(
                      RunDirectives.invoke(() -> executor.getHandle(active.get())),
                      handle ->
                          handle.isEmpty()
                              ? complete(StatusCodes.NO_CONTENT)
                              : onSuccess(
                                  handle.get().status(),
                                  run ->
                                      run.status().isTerminal()
                                          ? complete(StatusCodes.NO_CONTENT)
                                          : uiStream(handle.get(), 0, -1)));
                }));
  }

  /** The run of the chat's last turn (its active one, if any). */
  private CompletionStage<Optional<AgentHandle>> lastTurn(String owner, String chatId) {
    return RunDirectives.invoke(() -> executor.getSession(owner, chatId))
        .thenCompose(
            session -> {
              Optional<String> runId =
                  session.flatMap(
                      s ->
                          s.activeRunId() != null
                              ? Optional.of(s.activeRunId())
                              : s.turns().isEmpty()
                                  ? Optional.empty()
                                  : Optional.of(s.turns().get(s.turns().size() - 1).runId()));
              return runId.isEmpty()
                  ? CompletableFuture.completedFuture(Optional.<AgentHandle>empty())
                  : RunDirectives.invoke(() -> executor.getHandle(runId.get()));
            });
  }

  /** The run's chunks from {@code from} as a UI message stream; {@code step} the step before them. */
  private Route uiStream(AgentHandle handle, long from, int step) {
    return quotas.withStreamSlot(release -> uiStream(handle, from, step, release));
  }

  private Route uiStream(AgentHandle handle, long from, int step, Runnable release) {
    Source<ByteString, NotUsed> body =
        subscriptions
            .subscribe(
                handle,
                from,
                Optional.empty(),
                chunks -> {
                  UiMessageStream protocol = new UiMessageStream(handle.runId(), step);
                  return Source.from(protocol.start())
                      .concat(
                          chunks
                              .map(RenderedChunk::chunk)
                              .takeWhile(chunk -> !protocol.ends(chunk), true)
                              .mapConcat(protocol::map));
                },
                release)
            .map(json -> ByteString.fromString("data: " + Json.write(json) + "\n\n"))
            .concat(Source.single(ByteString.fromString("data: [DONE]\n\n")))
            .keepAlive(heartbeat, () -> StreamRoutes.HEARTBEAT);
    return complete(
        HttpResponse.create()
            .withStatus(StatusCodes.OK)
            .addHeader(RawHeader.create(UiMessageStream.HEADER, UiMessageStream.VERSION))
            .addHeader(CacheControl.create(CacheDirectives.NO_CACHE))
            .addHeader(RawHeader.create("X-Accel-Buffering", "no"))
            .withEntity(
                HttpEntities.createChunked(
                    ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), body)));
  }

  /** Routes under {@code /api}. */
  Route routes() {
    return pathPrefix(
        "api",
        () ->
            pathPrefix(
                "chat",
                () ->
                    concat(
                        pathEnd(() -> post(this::chat)),
                        path(
                            PathMatchers.segment().slash("stream"),
                            chatId -> get(() -> resume(chatId))))));
  }
}
