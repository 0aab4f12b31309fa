package io.helix.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import io.helix.model.ModelClient;
import io.helix.providers.FakeModelServer.Response;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Google Gemini's streamGenerateContent (SSE) against a fake of its API. */
class GeminiProviderTest extends ProviderContract {

  private static final String THOUGHT_SIGNATURE = "CiQBjz1rX2Z0aG91Z2h0LXNpZ25hdHVyZQ==";

  @Override
  String provider() {
    return Providers.GEMINI;
  }

  @Override
  ModelClient client(String serverUrl) {
    return Providers.gemini(Providers.GEMINI, serverUrl + "/v1beta", KEY, HTTP);
  }

  @Override
  String expectedPath() {
    return "/v1beta/models/test-model:streamGenerateContent";
  }

  @Override
  boolean streamsToolArguments() {
    return false; // Gemini sends each function call whole
  }

  @Override
  void answerWithToolCalls(Response response) throws IOException {
    response.sse(
        List.of(
            GeminiWire.text("Let me "),
            GeminiWire.text("add."),
            GeminiWire.signedFunctionCalls(
                THOUGHT_SIGNATURE,
                GeminiWire.call("add", Json.parse("{\"a\":1,\"b\":2}")),
                GeminiWire.call("add", Json.parse("{\"a\":3,\"b\":4}"))),
            GeminiWire.finish("STOP", 20, 10)));
  }

  @Override
  void answerFinally(Response response) throws IOException {
    response.sse(
        List.of(
            GeminiWire.text("1+2=3 "),
            GeminiWire.text("and 3+4=7."),
            GeminiWire.finish("STOP", 30, 5)));
  }

  @Override
  void answerError(Response response, int status, String message, Map<String, String> headers)
      throws IOException {
    String kind = status == 429 ? "RESOURCE_EXHAUSTED" : status >= 500 ? "INTERNAL" : "UNAUTHENTICATED";
    response.json(status, GeminiWire.error(status, kind, message), headers);
  }

  @Override
  void startAnswerAndHold(Response response) throws IOException {
    response.sse(List.of(GeminiWire.text("Once upon a time ")));
  }

  @Override
  List<String> toolCallIds() {
    return List.of("call_0", "call_1");
  }

  @Override
  void assertFirstRequest(FakeModelServer.Request request) {
    assertEquals(KEY.reveal(), request.header("x-goog-api-key"));
    JsonNode body = Json.parse(request.body());
    assertEquals("What are 1+2 and 3+4?", body.at("/contents/0/parts/0/text").asText());
    assertEquals("add", body.at("/tools/0/functionDeclarations/0/name").asText());
  }

  @Override
  void assertToolResultsSent(JsonNode body) {
    JsonNode contents = body.get("contents");
    assertEquals(3, contents.size(), contents.toString());
    assertEquals("add", contents.at("/1/parts/1/functionCall/name").asText(), contents.toString());
    // the thought signature goes back on the first function call, as Gemini 3 requires
    assertEquals(THOUGHT_SIGNATURE, contents.at("/1/parts/1/thoughtSignature").asText(), contents.toString());
    assertEquals("", contents.at("/1/parts/2/thoughtSignature").asText(), contents.toString());
    // both results in one content, as Gemini requires for parallel calls
    JsonNode results = contents.at("/2/parts");
    assertEquals(2, results.size(), contents.toString());
    assertEquals("call_0", results.at("/0/functionResponse/id").asText());
    assertEquals("add", results.at("/0/functionResponse/name").asText());
    assertEquals("call_1", results.at("/1/functionResponse/id").asText());
  }
}
