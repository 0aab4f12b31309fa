package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.helix.json.Json;
import io.helix.server.ServerProcess.Reply;
import io.helix.server.ServerProcess.SseEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged server on a real model provider: {@code OPENAI_BASE_URL} points at a local server
 * that speaks OpenAI's streaming chat completions (as vLLM, llama.cpp, LM Studio or Ollama do), and
 * the research agent runs on it to its answer.
 */
class ModelProviderIT {

  private static final String KEY = "sk-dummy-it-key-0123456789";

  private HttpServer openAi;
  private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startFakeOpenAi() throws IOException {
    openAi = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    openAi.createContext("/v1/chat/completions", this::answer);
    openAi.start();
  }

  @AfterEach
  void stopFakeOpenAi() {
    openAi.stop(0);
  }

  /** First call: the calculator, arguments in pieces; then the answer from the tool's result. */
  private void answer(HttpExchange exchange) throws IOException {
    JsonNode request = Json.parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    requests.add(request);
    authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
    exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      JsonNode last = request.get("messages").get(request.get("messages").size() - 1);
      if (!"tool".equals(last.get("role").asText())) {
        OpenAiSse.send(out, OpenAiSse.delta(Json.object().put("role", "assistant").put("content", "I'll compute it. ")));
        ObjectNode start = Json.object();
        ObjectNode call = start.putArray("tool_calls").addObject().put("index", 0).put("id", "call_calc").put("type", "function");
        call.putObject("function").put("name", "calculator").put("arguments", "");
        OpenAiSse.send(out, OpenAiSse.delta(start));
        for (String piece : List.of("{\"expres", "sion\": \"(12+30)", "*2\"}")) {
          ObjectNode args = Json.object();
          args.putArray("tool_calls").addObject().put("index", 0).putObject("function").put("arguments", piece);
          OpenAiSse.send(out, OpenAiSse.delta(args));
        }
        OpenAiSse.send(out, OpenAiSse.finish("tool_calls", 40, 12));
      } else {
        String value = Json.parse(last.get("content").asText()).get("value").asText();
        OpenAiSse.send(out, OpenAiSse.delta(Json.object().put("content", "The answer ")));
        OpenAiSse.send(out, OpenAiSse.delta(Json.object().put("content", "is " + value + ".")));
        OpenAiSse.send(out, OpenAiSse.finish("stop", 60, 6));
      }
      OpenAiSse.done(out);
    }
  }

  @Test
  void theResearchAgentRunsOnAnOpenAiCompatibleServer() throws Exception {
    Path data = Files.createTempDirectory("helix-provider");
    Map<String, String> env =
        Map.of(
            "OPENAI_BASE_URL", "http://127.0.0.1:" + openAi.getAddress().getPort() + "/v1",
            "OPENAI_API_KEY", KEY,
            "HELIX_DEFAULT_MODEL", "openai:gpt-4o-mini");
    try (ServerProcess server = new ServerProcess(data, env, List.of()).start()) {
      Reply agents = server.get("/agent/agents");
      assertEquals(200, agents.status());
      JsonNode research = agents.body().get("agents").get(0);
      assertEquals("research", research.get("name").asText());
      assertEquals("openai:gpt-4o-mini", research.get("model").asText());
      assertFalse(research.get("description").asText().contains("offline model"));
      assertFalse(agents.body().toString().contains(KEY), "no endpoint returns the key");

      String runId =
          server
              .post("/agent/execute", "{\"agentType\":\"research\",\"message\":\"What is (12+30)*2?\"}")
              .body()
              .get("runId")
              .asText();
      List<SseEvent> events = server.readStream("/agent/stream/" + runId, null);
      List<String> types = events.stream().map(e -> e.data().get("type").asText()).distinct().toList();
      assertEquals(
          List.of(
              "run_start", "text_delta", "tool_arg_stream_start", "tool_arg_stream_delta",
              "tool_start", "tool_end", "output", "run_end"),
          types);

      Reply result = server.get("/agent/result/" + runId);
      assertEquals("completed", result.body().get("status").asText(), result.body().toString());
      assertEquals("The answer is 84.", result.body().get("output").asText());
      assertEquals(2, result.body().get("steps").asInt());
      assertEquals(100, result.body().at("/usage/inputTokens").asLong(), result.body().toString());
      assertEquals(18, result.body().at("/usage/outputTokens").asLong());

      assertEquals(2, requests.size());
      assertEquals(List.of("Bearer " + KEY, "Bearer " + KEY), authorizations);
      assertEquals("gpt-4o-mini", requests.get(0).get("model").asText());
      assertTrue(requests.get(0).get("stream").asBoolean());
      assertEquals("calculator", requests.get(0).at("/tools/0/function/name").asText());
      JsonNode toolResult = requests.get(1).get("messages").get(requests.get(1).get("messages").size() - 1);
      assertEquals("call_calc", toolResult.get("tool_call_id").asText());

      String log = server.logText();
      assertTrue(log.contains("model provider 'openai' configured"), log);
      assertFalse(log.contains(KEY), "the key is never logged");
    }
  }
}
