package io.helix.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import io.helix.model.ModelClient;
import io.helix.model.ModelEvent;
import io.helix.model.ModelException;
import io.helix.model.ModelResponse;
import io.helix.providers.FakeModelServer.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** OpenAI chat completions (and so every OpenAI-compatible server) against a fake of its API. */
class OpenAiProviderTest extends ProviderContract {

  @Test
  void reasoningOfCompatibleServersStreamsAsThinking() throws Exception {
    try (FakeModelServer server =
        new FakeModelServer(
            (request, response) ->
                response.sse(
                    List.of(
                        OpenAiWire.role(),
                        OpenAiWire.reasoning("Two sums, "),
                        OpenAiWire.reasoning("easy."),
                        OpenAiWire.text("3 and 7."),
                        OpenAiWire.finish("stop"),
                        OpenAiWire.usage(8, 4),
                        OpenAiWire.done())))) {
      List<ModelEvent> events = new CopyOnWriteArrayList<>();
      ModelResponse response =
          client(server.baseUrl()).stream(request(), events::add).response().toCompletableFuture()
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertEquals("Two sums, easy.", response.message().thinking());
      assertEquals("3 and 7.", response.message().content());
      assertEquals(new ModelEvent.ThinkingDelta("Two sums, "), events.get(0));
      assertEquals("stop", response.finishReason());
    }
  }

  @Test
  void theResponseTimeoutBoundsTheWaitForHeadersNotTheStream() throws Exception {
    Duration responseTimeout = Duration.ofMillis(300);
    int deltas = 6;
    try (FakeModelServer server =
        new FakeModelServer(
            (request, response) -> {
              response.sse(List.of(OpenAiWire.role()));
              for (int i = 0; i < deltas; i++) {
                pace(responseTimeout.dividedBy(2));
                response.write(OpenAiWire.text("w" + i + " "));
              }
              response.write(OpenAiWire.finish("stop") + OpenAiWire.usage(1, deltas) + OpenAiWire.done());
            })) {
      ModelClient slowStream =
          client(server.baseUrl(), new HttpSettings(Duration.ofSeconds(5), responseTimeout, 500));
      ModelResponse response =
          slowStream.stream(request(), event -> {}).response().toCompletableFuture()
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertEquals("w0 w1 w2 w3 w4 w5 ", response.message().content());
    }
  }

  @Test
  void aProviderThatSendsNoHeadersTimesOutRetryably() throws Exception {
    try (FakeModelServer server = new FakeModelServer((request, response) -> response.holdUntilClientCloses())) {
      ModelClient silent =
          client(server.baseUrl(), new HttpSettings(Duration.ofSeconds(5), Duration.ofMillis(200), 500));
      ModelException error = failure(silent.stream(request(), event -> {}));
      assertTrue(error.retryable(), error.getMessage());
      assertTrue(error.getMessage().contains("timed out"), error.getMessage());
    }
  }

  /** The fake model's pace between two deltas. */
  private static void pace(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  ModelClient client(String serverUrl, HttpSettings http) {
    return Providers.openAi(Providers.OPENAI, serverUrl + "/v1", KEY, true, http);
  }

  @Test
  void anErrorChunkMidStreamFailsTheCallRetryably() throws Exception {
    try (FakeModelServer server =
        new FakeModelServer(
            (request, response) ->
                response.sse(
                    List.of(
                        OpenAiWire.role(),
                        OpenAiWire.text("Half an ans"),
                        "data: " + OpenAiWire.error("server_error", "The server had an error while processing your request") + "\n\n")))) {
      ModelException error = failure(client(server.baseUrl()).stream(request(), event -> {}));
      assertTrue(error.retryable(), error.getMessage());
      assertTrue(error.getMessage().contains("The server had an error"), error.getMessage());
    }
  }

  @Override
  String provider() {
    return Providers.OPENAI;
  }

  @Override
  ModelClient client(String serverUrl) {
    return Providers.openAi(Providers.OPENAI, serverUrl + "/v1", KEY, true, HTTP);
  }

  @Override
  String expectedPath() {
    return "/v1/chat/completions";
  }

  @Override
  void answerWithToolCalls(Response response) throws IOException {
    response.sse(
        List.of(
            OpenAiWire.role(),
            OpenAiWire.text("Let me "),
            OpenAiWire.text("add."),
            OpenAiWire.toolCallStart(0, "call_a", "add"),
            OpenAiWire.toolCallArguments(0, "{\"a\":"),
            OpenAiWire.toolCallArguments(0, " 1, \"b\""),
            OpenAiWire.toolCallArguments(0, ": 2}"),
            OpenAiWire.toolCallStart(1, "call_b", "add"),
            OpenAiWire.toolCallArguments(1, "{\"a\": 3,"),
            OpenAiWire.toolCallArguments(1, " \"b\": 4}"),
            OpenAiWire.finish("tool_calls"),
            OpenAiWire.usage(20, 10),
            OpenAiWire.done()));
  }

  @Override
  void answerFinally(Response response) throws IOException {
    response.sse(
        List.of(
            OpenAiWire.role(),
            OpenAiWire.text("1+2=3 "),
            OpenAiWire.text("and 3+4=7."),
            OpenAiWire.finish("stop"),
            OpenAiWire.usage(30, 5),
            OpenAiWire.done()));
  }

  @Override
  void answerError(Response response, int status, String message, Map<String, String> headers)
      throws IOException {
    response.json(status, OpenAiWire.error("invalid_request_error", message), headers);
  }

  @Override
  void startAnswerAndHold(Response response) throws IOException {
    response.sse(List.of(OpenAiWire.role(), OpenAiWire.text("Once upon a time ")));
  }

  @Override
  List<String> toolCallIds() {
    return List.of("call_a", "call_b");
  }

  @Override
  void assertFirstRequest(FakeModelServer.Request request) {
    assertEquals("Bearer " + KEY.reveal(), request.header("Authorization"));
    JsonNode body = Json.parse(request.body());
    assertEquals("test-model", body.get("model").asText());
    assertTrue(body.get("stream").asBoolean());
    assertEquals("system", body.at("/messages/0/role").asText());
    assertEquals("What are 1+2 and 3+4?", body.at("/messages/1/content").asText());
    JsonNode function = body.at("/tools/0/function");
    assertEquals("add", function.get("name").asText());
    assertEquals("integer", function.at("/parameters/properties/a/type").asText());
    assertEquals("first", function.at("/parameters/properties/a/description").asText());
  }

  @Override
  void assertToolResultsSent(JsonNode body) {
    JsonNode messages = body.get("messages");
    assertEquals(5, messages.size(), messages.toString());
    JsonNode assistant = messages.get(2);
    assertEquals("assistant", assistant.get("role").asText());
    assertEquals("Let me add.", assistant.get("content").asText());
    assertEquals("call_a", assistant.at("/tool_calls/0/id").asText());
    assertEquals(Json.parse("{\"a\":1,\"b\":2}"), Json.parse(assistant.at("/tool_calls/0/function/arguments").asText()));
    assertEquals("call_b", assistant.at("/tool_calls/1/id").asText());
    assertEquals("tool", messages.get(3).get("role").asText());
    assertEquals("call_a", messages.get(3).get("tool_call_id").asText());
    assertEquals(Json.parse("{\"sum\":3}"), Json.parse(messages.get(3).get("content").asText()));
    assertEquals("call_b", messages.get(4).get("tool_call_id").asText());
    assertEquals(Json.parse("{\"sum\":7}"), Json.parse(messages.get(4).get("content").asText()));
  }
}
