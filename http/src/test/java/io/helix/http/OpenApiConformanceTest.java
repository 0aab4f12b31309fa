package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The OpenAPI document ({@code GET /openapi.json}) and the server agree: every documented operation
 * exists and every route is documented (with the methods each path allows), and every answer of
 * every route, success and error, has a status and content type the document names for it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiConformanceTest {

  static final String TOKEN = "openapi-token-0123456789abcdef0123456789";

  private final TestServer server = new TestServer();
  private final URI secured =
      server.bind(server.runtime.executor, server.settings.withAuthTokens(List.of(TOKEN)), server.history);
  private final URI noHistory = server.bind(server.runtime.executor, server.settings, null);
  private JsonNode document;

  /** The observed (operation -> "status content-type") pairs. */
  private final Map<String, Set<String>> observed = new ConcurrentHashMap<>();

  @AfterAll
  void stop() {
    server.close();
  }

  private JsonNode document() {
    if (document == null) {
      HttpResponse<String> response = server.get("/openapi.json");
      assertEquals(200, response.statusCode());
      document = TestServer.json(response);
      assertEquals("3.1.0", document.get("openapi").asText());
    }
    return document;
  }

  private List<String> documentedOperations() {
    List<String> operations = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> paths = document().get("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue().fieldNames().forEachRemaining(
          method -> operations.add(method.toUpperCase() + " " + path.getKey()));
    }
    return operations;
  }

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedOperationExists() {
    assertEquals(new TreeSet<>(ApiRoutes.ROUTES), new TreeSet<>(documentedOperations()));
    // and the server allows exactly the documented methods on each path
    Iterator<Map.Entry<String, JsonNode>> paths = document().get("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> path = paths.next();
      String concrete = path.getKey().replaceAll("\\{[^}]+}", "some-id");
      Set<String> documented = new TreeSet<>();
      path.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase()));
      for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH")) {
        if (documented.contains(method)) {
          continue;
        }
        HttpResponse<String> response =
            server.send(server.request(concrete).method(method, BodyPublishers.noBody()));
        assertEquals(405, response.statusCode(), method + " " + concrete);
        Set<String> allowed = new TreeSet<>();
        for (String m : response.headers().firstValue("Allow").orElse("").split(",")) {
          allowed.add(m.trim());
        }
        assertEquals(documented, allowed, "Allow of " + concrete);
      }
    }
  }

  /** Records an answer of an operation and checks the document names its status and type. */
  private void answered(String operation, int status, String contentType) {
    String[] parts = operation.split(" ", 2);
    JsonNode op = document().get("paths").get(parts[1]).get(parts[0].toLowerCase());
    assertTrue(op != null, "documented: " + operation);
    JsonNode response = op.get("responses").get(Integer.toString(status));
    assertTrue(response != null, operation + " answered " + status + ", which is not documented");
    if (response.has("$ref")) {
      String name = response.get("$ref").asText().replace("#/components/responses/", "");
      response = document().get("components").get("responses").get(name);
    }
    if (contentType == null || contentType.isEmpty()) {
      assertTrue(!response.has("content") || status == 101, operation + " " + status + " has no body");
    } else {
      String media = contentType.split(";")[0].trim();
      assertTrue(
          response.has("content") && response.get("content").has(media),
          operation + " " + status + " answered " + media + ", documented "
              + response.path("content"));
    }
    observed.computeIfAbsent(operation, k -> ConcurrentHashMap.newKeySet()).add(status + " " + contentType);
  }

  private void check(String operation, HttpResponse<String> response) {
    String contentType = response.headers().firstValue("Content-Type").orElse("");
    answered(operation, response.statusCode(), contentType);
    if (contentType.startsWith("application/json") || contentType.startsWith("application/problem+json")) {
      String[] parts = operation.split(" ", 2);
      JsonNode documented =
          document().get("paths").get(parts[1]).get(parts[0].toLowerCase()).get("responses")
              .get(Integer.toString(response.statusCode()));
      JsonNode resolved = resolve(documented);
      JsonNode schema = resolve(resolved.get("content").get(contentType.split(";")[0].trim()).get("schema"));
      assertHasRequired(operation + " " + response.statusCode(), schema, Json.parse(response.body()));
    }
  }

  private JsonNode resolve(JsonNode node) {
    while (node != null && node.has("$ref")) {
      String[] path = node.get("$ref").asText().substring(2).split("/");
      JsonNode target = document();
      for (String part : path) {
        target = target.get(part);
      }
      node = target;
    }
    return node;
  }

  /** The body has every property the schema (and its allOf parts) requires, with its type. */
  private void assertHasRequired(String where, JsonNode schema, JsonNode body) {
    if (schema.has("allOf")) {
      schema.get("allOf").forEach(part -> assertHasRequired(where, resolve(part), body));
    }
    if (schema.has("required")) {
      for (JsonNode name : schema.get("required")) {
        assertTrue(body.has(name.asText()), where + ": the body lacks '" + name.asText() + "': " + body);
        JsonNode property = resolve(schema.path("properties").get(name.asText()));
        if (property != null && property.has("type") && property.get("type").isTextual()) {
          String type = property.get("type").asText();
          JsonNode value = body.get(name.asText());
          boolean ok = switch (type) {
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "boolean" -> value.isBoolean();
            case "array" -> value.isArray();
            case "object" -> value.isObject();
            default -> true;
          };
          assertTrue(ok, where + ": '" + name.asText() + "' is not a " + type + ": " + value);
        }
      }
    }
  }

  private HttpResponse<String> post(URI base, String path, String contentType, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return server.send(b.POST(BodyPublishers.ofString(body)));
  }

  private HttpResponse<String> get(URI base, String path) {
    return server.send(HttpRequest.newBuilder(base.resolve(path)).GET());
  }

  private int webSocket(URI base, String path) {
    URI uri = URI.create("ws://" + base.getHost() + ":" + base.getPort() + path);
    try {
      WebSocket socket = server.client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
          .buildAsync(uri, new WebSocket.Listener() {}).get(20, TimeUnit.SECONDS);
      socket.abort();
      return 101;
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException handshake) {
        answered("GET /ws/{streamId}", handshake.getResponse().statusCode(),
            handshake.getResponse().headers().firstValue("Content-Type").orElse(""));
        return handshake.getResponse().statusCode();
      }
      throw new AssertionError(e);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void everyAnswerOfEveryRouteIsDocumented() {
    URI open = server.base;
    String execute = "POST /agent/execute";
    String runId = "openapi-run-1";
    check(execute, post(open, "/agent/execute", "application/json", "{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":\"" + runId + "\"}"));
    check(execute, post(open, "/agent/execute", "application/json", "{\"agentType\":"));
    check(execute, post(open, "/agent/execute", "application/json", "{\"agentType\":\"nope\",\"message\":\"x\"}"));
    check(execute, post(open, "/agent/execute", "application/json", "{\"agentType\":\"adder\",\"message\":\"y\",\"runId\":\"" + runId + "\"}"));
    check(execute, post(open, "/agent/execute", "application/json", "{\"message\":\"" + "x".repeat((int) TestServer.MAX_BODY) + "\"}"));
    check(execute, post(open, "/agent/execute", "text/plain", "hello"));
    check(execute, post(secured, "/agent/execute", "application/json", "{}"));

    String result = "GET /agent/result/{runId}";
    check(result, get(open, "/agent/result/" + runId + "?wait=5"));
    check(result, get(open, "/agent/result/" + runId + "?wait=x"));
    check(result, get(open, "/agent/result/unknown-run"));
    check(result, get(secured, "/agent/result/" + runId));

    String stream = "GET /agent/stream/{runId}";
    check(stream, get(open, "/agent/stream/" + runId));
    check(stream, get(open, "/agent/stream/" + runId + "?from=x"));
    check(stream, get(open, "/agent/stream/unknown-run"));
    check(stream, get(secured, "/agent/stream/" + runId));

    String abort = "POST /agent/abort/{runId}";
    check(abort, post(open, "/agent/abort/" + runId, "application/json", "{\"reason\":\"done\"}"));
    check(abort, post(open, "/agent/abort/" + runId, "application/json", "{\"why\":\"x\"}"));
    check(abort, post(open, "/agent/abort/unknown-run", "application/json", "{}"));
    check(abort, post(open, "/agent/abort/" + runId, "text/plain", "x"));
    check(abort, post(secured, "/agent/abort/" + runId, "application/json", "{}"));

    String hitl = "openapi-hitl-1";
    check(execute, post(open, "/agent/execute", "application/json", "{\"agentType\":\"hitl\",\"message\":\"send it\",\"runId\":\"" + hitl + "\"}"));
    String approvalId = null;
    for (int i = 0; i < 100 && approvalId == null; i++) {
      JsonNode run = Json.parse(get(open, "/agent/result/" + hitl + "?wait=1").body());
      if (run.path("pending").size() > 0) {
        approvalId = run.get("pending").get(0).get("approvalId").asText();
      }
    }
    String approve = "POST /agent/approve/{runId}";
    check(approve, post(open, "/agent/approve/" + hitl, "application/json", "{\"approvalId\":\"nope\",\"approved\":true}"));
    check(approve, post(open, "/agent/approve/" + hitl, "application/json", "{\"approved\":true}"));
    check(approve, post(open, "/agent/approve/" + hitl, "text/plain", "x"));
    check(approve, post(open, "/agent/approve/" + hitl, "application/json", "{\"approvalId\":\"" + approvalId + "\",\"approved\":true}"));
    check(approve, post(open, "/agent/approve/" + hitl, "application/json", "{\"approvalId\":\"" + approvalId + "\",\"approved\":false}"));
    check(approve, post(secured, "/agent/approve/" + hitl, "application/json", "{}"));

    String toolResult = "POST /agent/tool-result/{runId}";
    check(toolResult, post(open, "/agent/tool-result/" + hitl, "application/json", "{\"toolCallId\":\"nope\",\"result\":1}"));
    check(toolResult, post(open, "/agent/tool-result/" + hitl, "application/json", "{\"toolCallId\":\"x\"}"));
    check(toolResult, post(open, "/agent/tool-result/unknown-run", "application/json", "{\"toolCallId\":\"x\",\"result\":1}"));
    check(toolResult, post(open, "/agent/tool-result/" + runId, "application/json", "{\"toolCallId\":\"x\",\"result\":1}"));
    check(toolResult, post(secured, "/agent/tool-result/" + hitl, "application/json", "{}"));

    String interrupt = "POST /agent/interrupt/{runId}";
    check(interrupt, post(open, "/agent/interrupt/" + runId, "application/json", "{}"));
    check(interrupt, post(open, "/agent/interrupt/unknown-run", "application/json", "{}"));
    check(interrupt, post(open, "/agent/interrupt/" + runId, "application/json", "{\"why\":1}"));
    check(interrupt, post(secured, "/agent/interrupt/" + runId, "application/json", "{}"));

    String resume = "POST /agent/resume/{runId}";
    check(resume, post(open, "/agent/resume/" + runId, "application/json", "{}"));
    check(resume, post(open, "/agent/resume/unknown-run", "application/json", "{}"));
    check(resume, post(open, "/agent/resume/" + runId, "application/json", "{\"message\":1}"));
    check(resume, post(secured, "/agent/resume/" + runId, "application/json", "{}"));

    String state = "GET /agent/state/{runId}";
    check(state, get(open, "/agent/state/" + runId));
    check(state, get(open, "/agent/state/" + runId + "?limit=-1"));
    check(state, get(open, "/agent/state/unknown-run"));
    check(state, get(secured, "/agent/state/" + runId));

    String runs = "GET /agent/runs";
    check(runs, get(open, "/agent/runs?limit=10"));
    check(runs, get(open, "/agent/runs?status=x"));
    check(runs, get(noHistory, "/agent/runs"));
    check(runs, get(secured, "/agent/runs"));

    String agents = "GET /agent/agents";
    check(agents, get(open, "/agent/agents"));
    check(agents, get(secured, "/agent/agents"));

    String ticket = "POST /agent/stream-ticket/{runId}";
    check(ticket, post(open, "/agent/stream-ticket/" + runId, "application/json", ""));
    check(ticket, post(open, "/agent/stream-ticket/unknown-run", "application/json", "{}"));
    check(ticket, post(open, "/agent/stream-ticket/" + runId, "application/json", "{\"x\":1}"));
    check(ticket, post(open, "/agent/stream-ticket/" + runId, "text/plain", ""));
    check(ticket, post(secured, "/agent/stream-ticket/" + runId, "application/json", "{}"));

    String me = "GET /agent/me";
    check(me, get(open, "/agent/me"));
    check(me, get(secured, "/agent/me"));

    String session = "GET /agent/sessions/{sessionId}";
    check(execute, post(open, "/agent/execute", "application/json",
        "{\"agentType\":\"adder\",\"message\":\"x\",\"sessionId\":\"openapi-session\"}"));
    check(session, get(open, "/agent/sessions/openapi-session"));
    check(session, get(open, "/agent/sessions/unknown-session"));
    check(session, get(secured, "/agent/sessions/openapi-session"));
    String sessionMessages = "GET /agent/sessions/{sessionId}/messages";
    check(sessionMessages, get(open, "/agent/sessions/openapi-session/messages?offset=0&limit=5"));
    check(sessionMessages, get(open, "/agent/sessions/openapi-session/messages?limit=-1"));
    check(sessionMessages, get(open, "/agent/sessions/unknown-session/messages"));
    check(sessionMessages, get(secured, "/agent/sessions/openapi-session/messages"));
    String deleteSession = "DELETE /agent/sessions/{sessionId}";
    check(deleteSession, server.send(HttpRequest.newBuilder(open.resolve("/agent/sessions/unknown-session")).DELETE()));
    check(deleteSession, server.send(HttpRequest.newBuilder(secured.resolve("/agent/sessions/openapi-session")).DELETE()));

    String chat = "POST /api/chat";
    String turn =
        "{\"id\":\"openapi-chat\",\"agentType\":\"adder\",\"messages\":[{\"id\":\"m1\","
            + "\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"text\":\"add\"}]}]}";
    check(chat, post(open, "/api/chat", "application/json", turn));
    check(chat, post(open, "/api/chat", "application/json", "{\"id\":\"c\"}"));
    check(chat, post(open, "/api/chat", "application/json", turn.replace("adder", "nope")));
    check(chat, post(open, "/api/chat", "text/plain", "x"));
    check(chat, post(secured, "/api/chat", "application/json", turn));
    String chatStream = "GET /api/chat/{chatId}/stream";
    check(chatStream, get(open, "/api/chat/openapi-chat/stream"));
    check(chatStream, get(secured, "/api/chat/openapi-chat/stream"));

    String openApi = "GET /openapi.json";
    check(openApi, get(open, "/openapi.json"));
    check(openApi, get(secured, "/openapi.json"));

    String ws = "GET /ws/{streamId}";
    answered(ws, webSocket(open, "/ws/" + runId), "");
    webSocket(open, "/ws/unknown-run");
    webSocket(secured, "/ws/" + runId);
    check(ws, get(open, "/ws/" + runId));
    check(ws, get(open, "/ws/" + runId + "?from=x"));

    // unknown routes and methods: the documented default problem
    HttpResponse<String> unknown = get(open, "/no/such/route");
    assertEquals(404, unknown.statusCode());
    assertEquals("application/problem+json", unknown.headers().firstValue("Content-Type").orElse(""));

    for (String operation : ApiRoutes.ROUTES) {
      assertTrue(observed.containsKey(operation), "exercised: " + operation);
    }
  }
}
