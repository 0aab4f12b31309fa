package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentHandle;
import io.helix.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * At least 50 malformed or hostile requests: each is answered with the right 4xx as an RFC 9457
 * problem, the server stays healthy after each, and none of them starts a run (nor so a stream).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputSuiteTest {

  static final String TOKEN = "suite-token-0123456789abcdef0123456789";

  /** An answer, from java.net.http or a raw socket. */
  record Answer(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
    }
  }

  /** One hostile request and what it must get: a status of {@code statuses}, a problem of {@code kind} (null: any). */
  record Case(String name, Supplier<Answer> request, Set<Integer> statuses, String kind) {}

  private final TestServer server = new TestServer();
  private final AtomicInteger runsStarted = new AtomicInteger();
  private final AgentExecutor counting =
      new AgentExecutor() {
        @Override
        public CompletionStage<AgentHandle> execute(io.helix.agent.RunRequest request) {
          return server.runtime.executor.execute(request)
              .thenApply(handle -> {
                runsStarted.incrementAndGet();
                return handle;
              });
        }

        @Override
        public CompletionStage<Optional<AgentHandle>> getHandle(String runId) {
          return server.runtime.executor.getHandle(runId);
        }
      };
  private final URI open = server.bind(counting, server.settings, server.history);
  private final URI secured =
      server.bind(counting, server.settings.withAuthTokens(List.of(TOKEN)), server.history);

  @AfterAll
  void stop() {
    server.close();
  }

  // ---- requests

  private static Answer answer(java.net.http.HttpResponse<String> response) {
    Map<String, String> headers = new HashMap<>();
    response.headers().map().forEach((name, values) ->
        headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
    return new Answer(response.statusCode(), headers, response.body());
  }

  private Supplier<Answer> http(URI base, String path, java.util.function.UnaryOperator<HttpRequest.Builder> build) {
    return () -> answer(server.send(build.apply(HttpRequest.newBuilder(base.resolve(path)))));
  }

  private Supplier<Answer> get(String path) {
    return http(open, path, b -> b.GET());
  }

  private Supplier<Answer> get(String path, String header, String value) {
    return http(open, path, b -> b.header(header, value).GET());
  }

  private Supplier<Answer> post(String path, String contentType, byte[] body) {
    return http(open, path, b -> {
      if (contentType != null) {
        b.header("Content-Type", contentType);
      }
      return b.POST(BodyPublishers.ofByteArray(body));
    });
  }

  private Supplier<Answer> execute(String json) {
    return post("/agent/execute", "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  private Supplier<Answer> method(String method, String path) {
    return http(open, path, b -> b.method(method, BodyPublishers.noBody()));
  }

  /** A request written byte by byte to a socket (for what java.net.http refuses to send). */
  private Supplier<Answer> raw(byte[] request) {
    return () -> {
      try (Socket socket = new Socket(open.getHost(), open.getPort())) {
        socket.setSoTimeout(20_000);
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
          all.write(buffer, 0, n);
          String text = all.toString(StandardCharsets.UTF_8);
          int end = text.indexOf("\r\n\r\n");
          if (end >= 0) {
            Map<String, String> headers = new HashMap<>();
            String[] lines = text.substring(0, end).split("\r\n");
            for (int i = 1; i < lines.length; i++) {
              int colon = lines[i].indexOf(':');
              headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] bytes = all.toByteArray();
            int bodyStart = text.substring(0, end + 4).getBytes(StandardCharsets.UTF_8).length;
            if (bytes.length - bodyStart >= length) {
              String body = new String(bytes, bodyStart, length, StandardCharsets.UTF_8);
              return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
            }
          }
        }
        throw new AssertionError("no complete answer: " + all.toString(StandardCharsets.UTF_8));
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    };
  }

  private Supplier<Answer> raw(String request) {
    return raw(request.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static byte[] concat(String head, byte[] body, String tail) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(body);
    out.writeBytes(tail.getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  // ---- the cases

  private static Set<Integer> is(Integer... statuses) {
    return Set.of(statuses);
  }

  private List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    String bigMessage = "x".repeat((int) TestServer.MAX_BODY + 10);
    String nested = "[".repeat(5000) + "]".repeat(5000);
    byte[] invalidUtf8 = concat("{\"agentType\":\"adder\",\"message\":\"", new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF}, "\"}");

    // broken JSON
    cases.add(new Case("truncated JSON", execute("{\"agentType\": "), is(400), "malformed-json"));
    cases.add(new Case("trailing garbage", execute("{\"agentType\":\"adder\",\"message\":\"x\"} trailing"), is(400), "malformed-json"));
    cases.add(new Case("not JSON", execute("not json"), is(400), "malformed-json"));
    cases.add(new Case("single quotes", execute("{'agentType':'adder','message':'x'}"), is(400), "malformed-json"));
    cases.add(new Case("trailing comma", execute("{\"agentType\":\"adder\",\"message\":\"x\",}"), is(400), "malformed-json"));
    cases.add(new Case("unclosed array", execute("["), is(400), "malformed-json"));
    cases.add(new Case("two documents", execute("{} {}"), is(400), "malformed-json"));
    cases.add(new Case("nesting 5000 deep", execute(nested), is(400), "malformed-json"));
    cases.add(new Case("invalid UTF-8 body", post("/agent/execute", "application/json", invalidUtf8), is(400), "malformed-json"));
    cases.add(new Case("NUL bytes", post("/agent/execute", "application/json", new byte[] {0, 0, 0}), is(400), "malformed-json"));
    cases.add(new Case("broken abort body", post("/agent/abort/whatever", "application/json", "{\"reason\":".getBytes(StandardCharsets.UTF_8)), is(400), "malformed-json"));
    // wrong types and shapes
    cases.add(new Case("JSON null", execute("null"), is(400), "invalid-request"));
    cases.add(new Case("empty object", execute("{}"), is(400), "invalid-request"));
    cases.add(new Case("array body", execute("[\"adder\",\"x\"]"), is(400), "invalid-request"));
    cases.add(new Case("string body", execute("\"adder\""), is(400), "invalid-request"));
    cases.add(new Case("number agentType", execute("{\"agentType\":42,\"message\":\"x\"}"), is(400), "invalid-request"));
    cases.add(new Case("null agentType", execute("{\"agentType\":null,\"message\":\"x\"}"), is(400), "invalid-request"));
    cases.add(new Case("blank agentType", execute("{\"agentType\":\"  \",\"message\":\"x\"}"), is(400), "invalid-request"));
    cases.add(new Case("object message", execute("{\"agentType\":\"adder\",\"message\":{\"text\":\"x\"}}"), is(400), "invalid-request"));
    cases.add(new Case("array message", execute("{\"agentType\":\"adder\",\"message\":[\"x\"]}"), is(400), "invalid-request"));
    cases.add(new Case("missing message", execute("{\"agentType\":\"adder\"}"), is(400), "invalid-request"));
    cases.add(new Case("number runId", execute("{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":7}"), is(400), "invalid-request"));
    cases.add(new Case("boolean runId", execute("{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":true}"), is(400), "invalid-request"));
    cases.add(new Case("huge number", execute("{\"agentType\":1e999999,\"message\":\"x\"}"), is(400), null));
    cases.add(new Case("number reason", post("/agent/abort/whatever", "application/json", "{\"reason\":5}".getBytes(StandardCharsets.UTF_8)), is(400), "invalid-request"));
    // unknown fields are rejected, not dropped
    cases.add(new Case("unknown field", execute("{\"agentType\":\"adder\",\"message\":\"x\",\"extra\":1}"), is(400), "invalid-request"));
    cases.add(new Case("misspelt runId", execute("{\"agentType\":\"adder\",\"message\":\"x\",\"runid\":\"bad-case-1\"}"), is(400), "invalid-request"));
    cases.add(new Case("__proto__ field", execute("{\"agentType\":\"adder\",\"message\":\"x\",\"__proto__\":{}}"), is(400), "invalid-request"));
    cases.add(new Case("unknown abort field", post("/agent/abort/whatever", "application/json", "{\"reason\":\"r\",\"force\":true}".getBytes(StandardCharsets.UTF_8)), is(400), "invalid-request"));
    // huge bodies
    cases.add(new Case("body over the limit", execute("{\"agentType\":\"adder\",\"message\":\"" + bigMessage + "\"}"), is(413), "payload-too-large"));
    cases.add(new Case("chunked body over the limit", http(open, "/agent/execute", b -> b.header("Content-Type", "application/json")
        .POST(BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(("{\"agentType\":\"adder\",\"message\":\"" + bigMessage + "\"}").getBytes(StandardCharsets.UTF_8))))), is(413), "payload-too-large"));
    cases.add(new Case("abort body over the limit", post("/agent/abort/whatever", "application/json", ("{\"reason\":\"" + bigMessage + "\"}").getBytes(StandardCharsets.UTF_8)), is(413), "payload-too-large"));
    // media types
    cases.add(new Case("text/plain", post("/agent/execute", "text/plain", "{\"agentType\":\"adder\",\"message\":\"x\"}".getBytes(StandardCharsets.UTF_8)), is(415), "unsupported-media-type"));
    cases.add(new Case("no content type", post("/agent/execute", null, "{\"agentType\":\"adder\",\"message\":\"x\"}".getBytes(StandardCharsets.UTF_8)), is(415), "unsupported-media-type"));
    cases.add(new Case("application/xml", post("/agent/execute", "application/xml", "<run/>".getBytes(StandardCharsets.UTF_8)), is(415), "unsupported-media-type"));
    cases.add(new Case("form", post("/agent/execute", "application/x-www-form-urlencoded", "agentType=adder&message=x".getBytes(StandardCharsets.UTF_8)), is(415), "unsupported-media-type"));
    // odd ids
    cases.add(new Case("path traversal runId", execute("{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":\"../../etc/passwd\"}"), is(400), "invalid-request"));
    cases.add(new Case("unicode runId", execute("{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":\"r\u00fcn-\u2603\"}"), is(400), "invalid-request"));
    cases.add(new Case("empty runId", execute("{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":\"\"}"), is(400), "invalid-request"));
    cases.add(new Case("long runId", execute("{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":\"" + "a".repeat(5000) + "\"}"), is(400), "invalid-request"));
    cases.add(new Case("control chars in runId", execute("{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":\"a\\nb\\u0000\"}"), is(400), "invalid-request"));
    cases.add(new Case("unknown agent", execute("{\"agentType\":\"nope\",\"message\":\"x\",\"runId\":\"bad-agent-1\"}"), is(404), "unknown-agent"));
    cases.add(new Case("traversal agent", execute("{\"agentType\":\"../adder\",\"message\":\"x\"}"), is(404), "unknown-agent"));
    cases.add(new Case("conflicting runId", execute("{\"agentType\":\"adder\",\"message\":\"another\",\"runId\":\"suite-existing\"}"), is(409), "run-conflict"));
    cases.add(new Case("encoded traversal result", get("/agent/result/..%2F..%2Fetc%2Fpasswd"), is(404), "run-not-found"));
    cases.add(new Case("raw traversal path", raw("GET /agent/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), is(404), "not-found"));
    cases.add(new Case("unicode state id", get("/agent/state/%E2%98%83"), is(404), "run-not-found"));
    cases.add(new Case("NUL in id", get("/agent/result/%00"), is(404, 400), null));
    cases.add(new Case("invalid UTF-8 in path", raw("GET /agent/result/%FF%FE HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), is(400, 404), null));
    cases.add(new Case("raw non-ASCII bytes in path", raw(concat("GET /agent/result/", new byte[] {(byte) 0xFF, (byte) 0xC3}, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")), is(400, 404), null));
    cases.add(new Case("encoded traversal stream", get("/ws/..%2F..%2Fsecrets"), is(404), "stream-not-found"));
    cases.add(new Case("empty id", get("/agent/result/"), is(404), null));
    cases.add(new Case("extra segment", get("/agent/result/a/b"), is(404), "not-found"));
    // query parameters and headers
    cases.add(new Case("Last-Event-ID text", get("/agent/stream/suite-existing", "Last-Event-ID", "abc"), is(400), "invalid-request"));
    cases.add(new Case("Last-Event-ID negative", get("/agent/stream/suite-existing", "Last-Event-ID", "-5"), is(400), "invalid-request"));
    cases.add(new Case("Last-Event-ID overflow", get("/agent/stream/suite-existing", "Last-Event-ID", "99999999999999999999999"), is(400), "invalid-request"));
    cases.add(new Case("from negative", get("/agent/stream/suite-existing?from=-1"), is(400), "invalid-request"));
    cases.add(new Case("ws from text", get("/ws/suite-existing?from=abc"), is(400), "invalid-request"));
    cases.add(new Case("ws batch not a boolean", get("/ws/suite-existing?batch=yes"), is(400), "invalid-request"));
    cases.add(new Case("wait text", get("/agent/result/suite-existing?wait=abc"), is(400), "invalid-request"));
    cases.add(new Case("wait negative", get("/agent/result/suite-existing?wait=-1"), is(400), "invalid-request"));
    cases.add(new Case("wait NaN", get("/agent/result/suite-existing?wait=NaN"), is(400), "invalid-request"));
    // numeric overflow: a value no parser should turn into a 5xx
    cases.add(new Case("wait beyond BigDecimal", get("/agent/result/suite-existing?wait=1e99999999999"), is(400), "invalid-request"));
    cases.add(new Case("from long overflow", get("/agent/stream/suite-existing?from=99999999999999999999999"), is(400), "invalid-request"));
    cases.add(new Case("from exponent", get("/agent/stream/suite-existing?from=1e3"), is(400), "invalid-request"));
    cases.add(new Case("ws from overflow", get("/ws/suite-existing?from=99999999999999999999999"), is(400), "invalid-request"));
    cases.add(new Case("state offset overflow", get("/agent/state/suite-existing?offset=99999999999999999999"), is(400), "invalid-request"));
    cases.add(new Case("state limit overflow", get("/agent/state/suite-existing?limit=-99999999999999999999"), is(400), "invalid-request"));
    cases.add(new Case("runs limit overflow", get("/agent/runs?limit=1e2147483647"), is(400), "invalid-request"));
    cases.add(new Case("runs createdFrom overflow", get("/agent/runs?createdFrom=99999999999999999999999"), is(400), "invalid-request"));
    cases.add(new Case("runs cursor garbage", get("/agent/runs?cursor=%FF%FE%00"), is(400), "invalid-request"));
    cases.add(new Case("state offset negative", get("/agent/state/suite-existing?offset=-1"), is(400), "invalid-request"));
    cases.add(new Case("state limit huge", get("/agent/state/suite-existing?limit=100000"), is(400), "invalid-request"));
    cases.add(new Case("state includeThinking odd", get("/agent/state/suite-existing?includeThinking=maybe"), is(400), "invalid-request"));
    cases.add(new Case("runs bad status", get("/agent/runs?status=bogus"), is(400), "invalid-request"));
    cases.add(new Case("runs unknown parameter", get("/agent/runs?sort=asc"), is(400), "invalid-request"));
    cases.add(new Case("result misspelt wait", get("/agent/result/suite-existing?wiat=5"), is(400), "invalid-request"));
    cases.add(new Case("stream misspelt from", get("/agent/stream/suite-existing?form=3"), is(400), "invalid-request"));
    cases.add(new Case("ws misspelt from", get("/ws/suite-existing?fro=1"), is(400), "invalid-request"));
    cases.add(new Case("state unknown parameter", get("/agent/state/suite-existing?page=2"), is(400), "invalid-request"));
    cases.add(new Case("execute with a query", post("/agent/execute?runId=x", "application/json", "{\"agentType\":\"adder\",\"message\":\"m\"}".getBytes(StandardCharsets.UTF_8)), is(400), "invalid-request"));
    cases.add(new Case("agents with a query", get("/agent/agents?verbose=true"), is(400), "invalid-request"));
    cases.add(new Case("header too long", raw("GET /agent/agents HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\nConnection: close\r\n\r\n"), is(400, 431), null));
    StringBuilder many = new StringBuilder("GET /agent/agents HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 200; i++) {
      many.append("X-H").append(i).append(": v\r\n");
    }
    cases.add(new Case("too many headers", raw(many.append("Connection: close\r\n\r\n").toString()), is(400, 431), null));
    cases.add(new Case("bad Content-Length", raw("POST /agent/execute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{}"), is(400), null));
    cases.add(new Case("URI too long", raw("GET /agent/result/" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), is(400, 414), null));
    cases.add(new Case("unknown method", raw("BREW /agent/agents HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), is(400, 405, 501), null));
    cases.add(new Case("unknown HTTP version", raw("GET /agent/agents HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n"), is(400, 505), null));
    cases.add(new Case("CRLF in X-Request-Id is replaced", get("/agent/result/none", "X-Request-Id", "a b"), is(404), "run-not-found"));
    // methods and routes
    cases.add(new Case("DELETE execute", method("DELETE", "/agent/execute"), is(405), "method-not-allowed"));
    cases.add(new Case("PUT abort", method("PUT", "/agent/abort/x"), is(405), "method-not-allowed"));
    // a cross-site form or fetch without a preflight: no body, a form's or no content type
    cases.add(new Case("abort with no body and no content type", raw("POST /agent/abort/suite-existing HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), is(415), "unsupported-media-type"));
    cases.add(new Case("abort as a form post", post("/agent/abort/suite-existing", "application/x-www-form-urlencoded", new byte[0]), is(415), "unsupported-media-type"));
    cases.add(new Case("GET execute", get("/agent/execute"), is(405), "method-not-allowed"));
    cases.add(new Case("POST agents", method("POST", "/agent/agents"), is(405), "method-not-allowed"));
    cases.add(new Case("unknown route", get("/admin"), is(404), "not-found"));
    cases.add(new Case("root", get("/"), is(404), "not-found"));
    // authentication
    cases.add(new Case("no token", http(secured, "/agent/execute", b -> b.header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString("{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":\"no-token-1\"}"))), is(401), "unauthorized"));
    cases.add(new Case("wrong token", http(secured, "/agent/execute", b -> b.header("Content-Type", "application/json").header("Authorization", "Bearer guess")
        .POST(BodyPublishers.ofString("{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":\"wrong-token-1\"}"))), is(401), "unauthorized"));
    cases.add(new Case("empty bearer", http(secured, "/agent/agents", b -> b.header("Authorization", "Bearer ").GET()), is(401), "unauthorized"));
    cases.add(new Case("token in query on REST", http(secured, "/agent/agents?access_token=" + TOKEN, b -> b.GET()), is(401), "unauthorized"));
    cases.add(new Case("SSE without token", http(secured, "/agent/stream/suite-existing", b -> b.GET()), is(401), "unauthorized"));
    cases.add(new Case("WebSocket without token", http(secured, "/ws/suite-existing", b -> b.GET()), is(401), "unauthorized"));
    cases.add(new Case("token with a suffix", http(secured, "/agent/agents", b -> b.header("Authorization", "Bearer " + TOKEN + "0").GET()), is(401), "unauthorized"));
    return cases;
  }

  /** Extreme values that are valid are clamped or answered, never a 5xx. */
  @Test
  void extremeButValidNumbersAreAnswered() throws Exception {
    // start the run every URL below reads, and let it end
    Answer started = post("/agent/execute", "application/json",
        "{\"agentType\":\"adder\",\"message\":\"x\",\"runId\":\"extreme-1\"}".getBytes(StandardCharsets.UTF_8)).get();
    assertTrue(started.status() < 300, started.toString());
    for (String path :
        List.of(
            "/agent/result/extreme-1?wait=1e2147483647",
            "/agent/result/extreme-1?wait=1e-2147483647",
            "/agent/result/extreme-1?wait=99999999999999999999999",
            "/agent/runs?createdFrom=9223372036854775807",
            "/agent/runs?createdBefore=-9223372036854775808",
            "/agent/runs?createdBefore=%2B1000000000-01-01T00:00:00Z")) {
      Answer answer = get(path).get();
      assertEquals(200, answer.status(), path + " -> " + answer);
    }
  }

  @Test
  void everyHostileRequestIsAProblemAndStartsNothing() {
    HttpRequest.Builder existing = HttpRequest.newBuilder(open.resolve("/agent/execute"))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString("{\"agentType\":\"adder\",\"message\":\"first\",\"runId\":\"suite-existing\"}"));
    assertEquals(202, server.send(existing).statusCode());
    assertEquals(1, runsStarted.get());

    List<Case> cases = cases();
    assertTrue(cases.size() >= 50, "at least 50 cases, have " + cases.size());
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      Answer answer;
      try {
        answer = c.request().get();
      } catch (AssertionError e) {
        failures.add(c.name() + ": " + e.getMessage());
        continue;
      }
      String failure = check(c, answer);
      if (failure != null) {
        failures.add(c.name() + ": " + failure + " -> " + answer.status() + " " + answer.headers().get("content-type") + " " + abbreviate(answer.body()));
      }
      // the server stays healthy
      java.net.http.HttpResponse<String> health = server.send(HttpRequest.newBuilder(open.resolve("/agent/agents")).GET());
      if (health.statusCode() != 200) {
        failures.add(c.name() + ": unhealthy afterwards (" + health.statusCode() + ")");
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " failed:\n" + String.join("\n", failures));

    assertEquals(1, runsStarted.get(), "no rejected request started a run");
    for (String runId : List.of("bad-case-1", "bad-agent-1", "no-token-1", "wrong-token-1")) {
      assertTrue(server.runtime.executor.getHandle(runId).toCompletableFuture().join().isEmpty(), runId);
    }
  }

  private static String check(Case c, Answer answer) {
    if (!c.statuses().contains(answer.status())) {
      return "status " + answer.status() + ", expected " + c.statuses();
    }
    if (!answer.header("Content-Type").equals("application/problem+json")) {
      return "content type " + answer.header("Content-Type");
    }
    if (answer.header("X-Request-Id").isEmpty()) {
      return "no X-Request-Id";
    }
    JsonNode problem;
    try {
      problem = Json.parse(answer.body());
    } catch (RuntimeException e) {
      return "not JSON";
    }
    if (problem.path("status").asInt() != answer.status()) {
      return "problem status " + problem.path("status");
    }
    if (problem.path("title").asText("").isBlank()) {
      return "no title";
    }
    String type = problem.path("type").asText("");
    if (c.kind() != null && !type.equals("urn:helix:problem:" + c.kind())) {
      return "type " + type;
    }
    if (c.kind() == null && !type.startsWith("urn:helix:problem:") && !type.equals("about:blank")) {
      return "type " + type;
    }
    if (answer.body().contains("\tat ") || answer.body().contains("Exception") || answer.body().contains(TOKEN)) {
      return "internals in the body";
    }
    return null;
  }

  private static String abbreviate(String body) {
    return body.length() < 300 ? body : body.substring(0, 300) + "...";
  }

  @Test
  void countsAreEnforced() {
    assertFalse(cases().isEmpty());
  }
}
