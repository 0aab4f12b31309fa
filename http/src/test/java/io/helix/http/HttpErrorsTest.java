package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentHandle;
import io.helix.json.Json;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every error is an RFC 9457 problem with the right status, never a 500 for bad input. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpErrorsTest {

  private final TestServer server = new TestServer();

  @AfterAll
  void stop() {
    server.close();
  }

  /** Asserts an application/problem+json answer of {@code status} and {@code kind}. */
  private static JsonNode assertProblem(HttpResponse<String> response, int status, String kind) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        "application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
    JsonNode problem = Json.parse(response.body());
    assertEquals(
        kind == null ? "about:blank" : "urn:helix:problem:" + kind, problem.get("type").asText());
    assertFalse(problem.get("title").asText().isBlank(), "a title");
    assertEquals(status, problem.get("status").asInt());
    assertFalse(problem.path("detail").asText().isBlank(), "a detail");
    assertFalse(response.body().contains("\tat "), "no stack trace");
    return problem;
  }

  private HttpResponse<String> execute(String body) {
    return server.postJson("/agent/execute", body);
  }

  @Test
  void malformedJsonIs400() {
    assertProblem(execute("{\"agentType\": "), 400, "malformed-json");
    assertProblem(
        execute("{\"agentType\":\"adder\",\"message\":\"x\"} trailing"), 400, "malformed-json");
    assertProblem(execute("not json"), 400, "malformed-json");
    assertProblem(server.postJson("/agent/abort/whatever", "{\"reason\":"), 400, "malformed-json");
  }

  @Test
  void missingOrIllTypedFieldsAre400() {
    assertProblem(execute("[1,2]"), 400, "invalid-request");
    assertProblem(execute("\"adder\""), 400, "invalid-request");
    assertProblem(execute("{\"message\":\"x\"}"), 400, "invalid-request");
    assertProblem(execute("{\"agentType\":null,\"message\":\"x\"}"), 400, "invalid-request");
    assertProblem(execute("{\"agentType\":42,\"message\":\"x\"}"), 400, "invalid-request");
    assertProblem(execute("{\"agentType\":\"\",\"message\":\"x\"}"), 400, "invalid-request");
    assertProblem(execute("{\"agentType\":\"adder\"}"), 400, "invalid-request");
    assertProblem(execute("{\"agentType\":\"adder\",\"message\":{}}"), 400, "invalid-request");
    assertProblem(
        execute("{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":7}"), 400, "invalid-request");
    assertProblem(execute(""), 400, "invalid-request");
    String runId = server.execute("adder", "x");
    assertProblem(
        server.postJson("/agent/abort/" + runId, "{\"reason\":5}"), 400, "invalid-request");
    assertProblem(server.postJson("/agent/abort/" + runId, "[]"), 400, "invalid-request");
  }

  @Test
  void unknownAgentTypeIs404() {
    JsonNode problem =
        assertProblem(
            execute("{\"agentType\":\"nobody\",\"message\":\"x\"}"), 404, "unknown-agent");
    assertTrue(problem.get("detail").asText().contains("nobody"));
  }

  @Test
  void invalidRunIdIs400() {
    assertProblem(
        execute("{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":\"bad id!\"}"),
        400,
        "invalid-request");
    assertProblem(
        execute("{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":\"\"}"),
        400,
        "invalid-request");
  }

  @Test
  void runIdConflictIs409AndTheSameRequestIsIdempotent() {
    String first = "{\"agentType\":\"adder\",\"message\":\"a\",\"runId\":\"conflict-1\"}";
    HttpResponse<String> started = execute(first);
    assertEquals(202, started.statusCode(), started.body());
    assertEquals("conflict-1", TestServer.json(started).get("runId").asText());
    HttpResponse<String> again = execute(first);
    assertEquals(202, again.statusCode(), again.body());
    assertEquals("conflict-1", TestServer.json(again).get("runId").asText());
    assertProblem(
        execute("{\"agentType\":\"adder\",\"message\":\"b\",\"runId\":\"conflict-1\"}"),
        409,
        "run-conflict");
    assertProblem(
        execute("{\"agentType\":\"medium\",\"message\":\"a\",\"runId\":\"conflict-1\"}"),
        409,
        "run-conflict");
  }

  @Test
  void unknownRunIdIs404() {
    assertProblem(server.get("/agent/result/no-such-run"), 404, "run-not-found");
    assertProblem(server.get("/agent/result/no-such-run?wait=1"), 404, "run-not-found");
    assertProblem(server.get("/agent/stream/no-such-run"), 404, "run-not-found");
    assertProblem(
        server.postJson("/agent/abort/no-such-run", "{\"reason\":\"x\"}"), 404, "run-not-found");
    // not even a valid id
    assertProblem(server.get("/agent/result/bad%20id!"), 404, "run-not-found");
  }

  @Test
  void unknownRouteIs404() {
    assertProblem(server.get("/nothing/here"), 404, "not-found");
    assertProblem(server.get("/agent"), 404, "not-found");
    assertProblem(server.get("/agent/result"), 404, "not-found");
    assertProblem(server.get("/agent/result/a/b"), 404, "not-found");
  }

  @Test
  void wrongMethodIs405WithAllow() {
    HttpResponse<String> get = server.get("/agent/execute");
    assertProblem(get, 405, "method-not-allowed");
    assertEquals("POST", get.headers().firstValue("Allow").orElseThrow());
    HttpResponse<String> delete = server.send(server.request("/agent/result/x").DELETE());
    assertProblem(delete, 405, "method-not-allowed");
    assertEquals("GET", delete.headers().firstValue("Allow").orElseThrow());
    assertProblem(server.postJson("/agent/agents", "{}"), 405, "method-not-allowed");
    assertProblem(server.get("/agent/abort/x"), 405, "method-not-allowed");
  }

  @Test
  void wrongContentTypeIs415() {
    HttpResponse<String> text =
        server.send(
            server
                .request("/agent/execute")
                .header("Content-Type", "text/plain")
                .POST(BodyPublishers.ofString("{\"agentType\":\"adder\",\"message\":\"x\"}")));
    assertProblem(text, 415, "unsupported-media-type");
    HttpResponse<String> form =
        server.send(
            server
                .request("/agent/abort/x")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(BodyPublishers.ofString("reason=x")));
    assertProblem(form, 415, "unsupported-media-type");
    // application/*+json is JSON
    HttpResponse<String> vendorJson =
        server.send(
            server
                .request("/agent/execute")
                .header("Content-Type", "application/vnd.helix+json")
                .POST(BodyPublishers.ofString("{\"agentType\":\"adder\",\"message\":\"x\"}")));
    assertEquals(202, vendorJson.statusCode(), vendorJson.body());
  }

  @Test
  void tooLargeBodyIs413() {
    String message = "x".repeat((int) TestServer.MAX_BODY + 1);
    String body = "{\"agentType\":\"adder\",\"message\":\"" + message + "\"}";
    // with a Content-Length
    assertProblem(execute(body), 413, "payload-too-large");
    // chunked, so only reading finds it out
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> chunked =
        server.send(
            server
                .request("/agent/execute")
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))));
    assertProblem(chunked, 413, "payload-too-large");
  }

  @Test
  void otherRejectionsAreProblemsToo() {
    String runId = server.execute("adder", "x");
    HttpResponse<String> notAcceptable =
        server.send(
            server.request("/agent/stream/" + runId).header("Accept", "application/json").GET());
    assertProblem(notAcceptable, 406, null);
  }

  @Test
  void badQueryParametersAndHeadersAre400() {
    String runId = server.execute("adder", "x");
    assertProblem(server.get("/agent/result/" + runId + "?wait=soon"), 400, "invalid-request");
    assertProblem(server.get("/agent/result/" + runId + "?wait=-1"), 400, "invalid-request");
    assertProblem(server.get("/agent/stream/" + runId + "?from=x"), 400, "invalid-request");
    assertProblem(server.get("/agent/stream/" + runId + "?from=-2"), 400, "invalid-request");
    assertProblem(
        server.send(server.request("/agent/stream/" + runId).header("Last-Event-ID", "abc").GET()),
        400,
        "invalid-request");
  }

  @Test
  void aBodyThatDoesNotArriveIs408() throws Exception {
    try (Socket socket = new Socket(server.base.getHost(), server.base.getPort())) {
      socket.setSoTimeout((int) TestServer.DEADLINE.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /agent/execute HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 100\r\n\r\n{\"agentType\":")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 408"), head);
      assertTrue(head.toLowerCase().contains("content-type: application/problem+json"), head);
    }
  }

  private static String readHead(InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      head.append((char) c);
      if (head.toString().endsWith("\r\n\r\n")) {
        break;
      }
    }
    return head.toString();
  }

  @Test
  void unexpectedErrorsAre500WithoutInternalsAndTimeoutsAre503() {
    AgentExecutor broken =
        new AgentExecutor() {
          @Override
          public CompletionStage<AgentHandle> execute(io.helix.agent.RunRequest request) {
            return CompletableFuture.failedFuture(new TimeoutException("ask timed out"));
          }

          @Override
          public CompletionStage<Optional<AgentHandle>> getHandle(String runId) {
            throw new IllegalStateException("secret internals: db password is hunter2");
          }
        };
    URI base = server.bind(broken);
    HttpResponse<String> failed =
        server.send(HttpRequest.newBuilder(base.resolve("/agent/result/r1")).GET());
    JsonNode problem = assertProblem(failed, 500, "internal-error");
    assertFalse(failed.body().contains("secret"), failed.body());
    assertFalse(failed.body().contains("IllegalStateException"), failed.body());
    assertTrue(problem.get("detail").asText().matches(".*[0-9a-f-]{36}.*"), "names an error id");

    HttpResponse<String> timedOut =
        server.send(
            HttpRequest.newBuilder(base.resolve("/agent/execute"))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"agentType\":\"adder\",\"message\":\"x\"}")));
    assertProblem(timedOut, 503, "unavailable");
  }
}
