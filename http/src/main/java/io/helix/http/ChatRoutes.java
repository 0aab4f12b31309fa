package io.helix.http;

import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentHandle;
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
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The Vercel AI SDK's chat endpoint, so a {@code useChat} front end works unchanged: {@code POST
 * /api/chat} takes the request {@code DefaultChatTransport} sends and answers its UI message stream
 * ({@link UiMessageStream}); {@code GET /api/chat/{chatId}/stream} resumes the chat's answer in
 * progress (replayed from its start, as the SDK expects), or answers 204 when none is.
 *
 * <p>Each user turn of a chat is a run with the id {@code <chatId>:<turn>}, so a request sent again
 * finds its run instead of starting another. The run is given the last user message; until
 * sessions land, earlier turns are not given to the model.
 */
final class ChatRoutes extends AllDirectives {

  private final AgentExecutor executor;
  private final RequestBodies requests;
  private final Subscriptions subscriptions;
  private final Duration heartbeat;

  ChatRoutes(
      AgentExecutor executor,
      RequestBodies requests,
      Subscriptions subscriptions,
      Duration heartbeat) {
    this.executor = executor;
    this.requests = requests;
    this.subscriptions = subscriptions;
    this.heartbeat = heartbeat;
  }

  Route chat() {
    return requests.chatRequest(
        chat ->
            onSuccess(
                RunDirectives.invokeValidating(
                    () -> executor.execute(chat.agentType(), chat.text(), runId(chat.chatId(), chat.turn()))),
                this::uiStream));
  }

  Route resume(String chatId) {
    return onSuccess(
        latestTurn(chatId, 1, Optional.empty()),
        latest ->
            latest.isEmpty()
                ? complete(StatusCodes.NO_CONTENT)
                : onSuccess(
                    latest.get().status(),
                    run ->
                        run.status().isTerminal()
                            ? complete(StatusCodes.NO_CONTENT)
                            : uiStream(latest.get())));
  }

  /** The run of the chat's last turn: turns are numbered from 1, so the first missing ends it. */
  private CompletionStage<Optional<AgentHandle>> latestTurn(
      String chatId, int turn, Optional<AgentHandle> found) {
    String runId = runId(chatId, turn);
    if (turn > 1000 || !runId.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")) {
      return CompletableFuture.completedFuture(found);
    }
    return RunDirectives.invoke(() -> executor.getHandle(runId))
        .thenCompose(
            handle ->
                handle.isEmpty()
                    ? CompletableFuture.completedFuture(found)
                    : latestTurn(chatId, turn + 1, handle));
  }

  private static String runId(String chatId, int turn) {
    return chatId + ":" + turn;
  }

  private Route uiStream(AgentHandle handle) {
    Source<ByteString, NotUsed> body =
        subscriptions
            .subscribe(
                handle,
                0,
                chunks -> {
                  UiMessageStream protocol = new UiMessageStream(handle.runId());
                  return Source.from(protocol.start())
                      .concat(
                          chunks
                              .takeWhile(chunk -> !protocol.ends(chunk), true)
                              .mapConcat(protocol::map));
                })
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
