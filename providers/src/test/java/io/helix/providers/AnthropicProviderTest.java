package io.helix.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import io.helix.model.ModelClient;
import io.helix.model.ModelException;
import io.helix.providers.FakeModelServer.Response;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Anthropic's Messages API against a fake of its streaming protocol. */
class AnthropicProviderTest extends ProviderContract {

  @Test
  void anOverloadedErrorEventMidStreamIsRetryable() throws Exception {
    try (FakeModelServer server =
        new FakeModelServer(
            (request, response) ->
                response.sse(
                    List.of(
                        AnthropicWire.messageStart(5),
                        AnthropicWire.textBlockStart(0),
                        AnthropicWire.textDelta(0, "Half an ans"),
                        AnthropicWire.errorEvent("overloaded_error", "Overloaded"))))) {
      ModelException error = failure(client(server.baseUrl()).stream(request(), event -> {}));
      assertTrue(error.retryable(), error.getMessage());
      assertTrue(error.getMessage().contains("Overloaded"), error.getMessage());
    }
  }

  @Test
  void anInvalidRequestErrorEventIsNotRetryable() throws Exception {
    try (FakeModelServer server =
        new FakeModelServer(
            (request, response) ->
                response.sse(
                    List.of(
                        AnthropicWire.messageStart(5),
                        AnthropicWire.errorEvent("invalid_request_error", "prompt is too long"))))) {
      ModelException error = failure(client(server.baseUrl()).stream(request(), event -> {}));
      assertFalse(error.retryable(), error.getMessage());
      assertTrue(error.getMessage().contains("prompt is too long"), error.getMessage());
    }
  }

  @Override
  String provider() {
    return Providers.ANTHROPIC;
  }

  @Override
  ModelClient client(String serverUrl) {
    // as ANTHROPIC_BASE_URL is given: without /v1
    return Providers.anthropic(
        Providers.ANTHROPIC, Providers.withSuffix(serverUrl, "/v1"), KEY, "2023-06-01", 1024, HTTP);
  }

  @Override
  String expectedPath() {
    return "/v1/messages";
  }

  @Override
  void answerWithToolCalls(Response response) throws IOException {
    response.sse(
        List.of(
            AnthropicWire.messageStart(20),
            AnthropicWire.ping(),
            AnthropicWire.textBlockStart(0),
            AnthropicWire.textDelta(0, "Let me "),
            AnthropicWire.textDelta(0, "add."),
            AnthropicWire.blockStop(0),
            AnthropicWire.toolUseStart(1, "toolu_a", "add"),
            AnthropicWire.inputJsonDelta(1, ""),
            AnthropicWire.inputJsonDelta(1, "{\"a\": 1,"),
            AnthropicWire.inputJsonDelta(1, " \"b\": 2}"),
            AnthropicWire.blockStop(1),
            AnthropicWire.toolUseStart(2, "toolu_b", "add"),
            AnthropicWire.inputJsonDelta(2, "{\"a\""),
            AnthropicWire.inputJsonDelta(2, ": 3, \"b\": 4}"),
            AnthropicWire.blockStop(2),
            AnthropicWire.messageDelta("tool_use", 10),
            AnthropicWire.messageStop()));
  }

  @Override
  void answerFinally(Response response) throws IOException {
    response.sse(
        List.of(
            AnthropicWire.messageStart(30),
            AnthropicWire.textBlockStart(0),
            AnthropicWire.textDelta(0, "1+2=3 "),
            AnthropicWire.textDelta(0, "and 3+4=7."),
            AnthropicWire.blockStop(0),
            AnthropicWire.messageDelta("end_turn", 5),
            AnthropicWire.messageStop()));
  }

  @Override
  void answerError(Response response, int status, String message, Map<String, String> headers)
      throws IOException {
    String type = status == 429 ? "rate_limit_error" : status >= 500 ? "api_error" : "authentication_error";
    response.json(status, AnthropicWire.error(type, message), headers);
  }

  @Override
  void startAnswerAndHold(Response response) throws IOException {
    response.sse(
        List.of(
            AnthropicWire.messageStart(5),
            AnthropicWire.textBlockStart(0),
            AnthropicWire.textDelta(0, "Once upon a time ")));
  }

  @Override
  List<String> toolCallIds() {
    return List.of("toolu_a", "toolu_b");
  }

  @Override
  void assertFirstRequest(FakeModelServer.Request request) {
    assertEquals(KEY.reveal(), request.header("x-api-key"));
    assertEquals("2023-06-01", request.header("anthropic-version"));
    JsonNode body = Json.parse(request.body());
    assertEquals("test-model", body.get("model").asText());
    assertTrue(body.get("stream").asBoolean());
    assertEquals(1024, body.get("max_tokens").asInt());
    assertEquals("You add numbers with the add tool.", body.at("/system/0/text").asText());
    assertEquals("user", body.at("/messages/0/role").asText());
    JsonNode tool = body.at("/tools/0");
    assertEquals("add", tool.get("name").asText());
    assertEquals("integer", tool.at("/input_schema/properties/b/type").asText());
  }

  @Override
  void assertToolResultsSent(JsonNode body) {
    JsonNode messages = body.get("messages");
    assertEquals(3, messages.size(), messages.toString());
    JsonNode assistant = messages.get(1);
    assertEquals("assistant", assistant.get("role").asText());
    assertEquals("Let me add.", assistant.at("/content/0/text").asText());
    assertEquals("tool_use", assistant.at("/content/1/type").asText());
    assertEquals("toolu_a", assistant.at("/content/1/id").asText());
    assertEquals(Json.parse("{\"a\":1,\"b\":2}"), assistant.at("/content/1/input"));
    assertEquals("toolu_b", assistant.at("/content/2/id").asText());
    JsonNode results = messages.get(2);
    assertEquals("user", results.get("role").asText());
    assertEquals("tool_result", results.at("/content/0/type").asText());
    assertEquals("toolu_a", results.at("/content/0/tool_use_id").asText());
    assertEquals(Json.parse("{\"sum\":3}"), Json.parse(results.at("/content/0/content").asText()));
    assertEquals("toolu_b", results.at("/content/1/tool_use_id").asText());
    assertEquals(Json.parse("{\"sum\":7}"), Json.parse(results.at("/content/1/content").asText()));
  }
}
