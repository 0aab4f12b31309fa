package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import io.helix.testkit.NodeScripts;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code POST /api/chat} as the Vercel AI SDK sees it: the real {@code ai} package (pinned in
 * test-clients/) sends a turn with its {@code DefaultChatTransport} and rebuilds the assistant
 * message with {@code readUIMessageStream}: the tool call with its input and output, and the text.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChatApiTest {

  private static final Path CLIENTS = Path.of("../test-clients").toAbsolutePath().normalize();

  private final TestServer server = new TestServer();

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void theAiSdkRebuildsTheAnswerWithItsToolCall() throws Exception {
    String node = EventSourceClientTest.node();
    JsonNode seen = chat(node, "chat-1", "adder", "add 2 and 3");
    JsonNode message = seen.get("message");
    assertEquals("assistant", message.get("role").asText(), message.toString());
    List<String> types = new ArrayList<>();
    message.get("parts").forEach(part -> types.add(part.get("type").asText()));
    JsonNode tool = null;
    StringBuilder text = new StringBuilder();
    for (JsonNode part : message.get("parts")) {
      if (part.get("type").asText().equals("tool-add")) {
        tool = part;
      } else if (part.get("type").asText().equals("text")) {
        text.append(part.get("text").asText());
      }
    }
    assertTrue(types.contains("step-start"), "steps: " + types);
    assertTrue(tool != null, "a tool part: " + types);
    assertEquals("output-available", tool.get("state").asText(), tool.toString());
    assertEquals(2, tool.get("input").get("a").asInt());
    assertEquals(5, tool.get("output").get("sum").asInt());
    assertTrue(text.toString().contains("The sum is 5."), text.toString());
    assertFalse(seen.get("reconnected").asBoolean(), "the chat's answer had ended: 204");
    // the turn is a run of its own, found again by the same request
    assertEquals(
        "completed",
        TestServer.json(server.get("/agent/result/chat-1:1")).get("status").asText());
  }

  @Test
  void aToolApprovalStopsTheAnswerAndTheApprovedCallContinuesIt() throws Exception {
    String node = EventSourceClientTest.node();
    JsonNode seen = run(node, "chat-in-the-loop.mjs", "chat-approve", "hitl", "please send it", "approve");
    JsonNode send = part(seen.get("first"), "tool-send");
    assertEquals("approval-requested", send.get("state").asText(), seen.get("first").toString());
    // add ran beside it, whether its output came with the first answer or with the continued one
    assertEquals("output-available", part(seen.get("final"), "tool-add").get("state").asText());
    JsonNode done = part(seen.get("final"), "tool-send");
    assertEquals("output-available", done.get("state").asText(), seen.get("final").toString());
    assertEquals("bob@example.com", done.get("output").get("sent").asText());
    assertTrue(text(seen.get("final")).contains("done: "), seen.get("final").toString());
    assertEquals(
        "completed",
        TestServer.json(server.get("/agent/result/chat-approve:1")).get("status").asText());
  }

  @Test
  void aClientToolsOutputFromTheMessageContinuesTheRun() throws Exception {
    String node = EventSourceClientTest.node();
    JsonNode seen =
        run(node, "chat-in-the-loop.mjs", "chat-where", "hitl", "where am I", "output:{\"city\":\"Lisbon\"}");
    assertEquals("input-available", part(seen.get("first"), "tool-locate").get("state").asText());
    assertTrue(text(seen.get("final")).contains("Lisbon"), seen.get("final").toString());
    assertEquals(
        "completed",
        TestServer.json(server.get("/agent/result/chat-where:1")).get("status").asText());
  }

  private static JsonNode part(JsonNode message, String type) {
    for (JsonNode part : message.get("parts")) {
      if (part.get("type").asText().equals(type)) {
        return part;
      }
    }
    throw new AssertionError("no " + type + " part in " + message);
  }

  private static String text(JsonNode message) {
    StringBuilder text = new StringBuilder();
    message.get("parts").forEach(p -> text.append(p.path("type").asText().equals("text") ? p.get("text").asText() : ""));
    return text.toString();
  }

  @Test
  void badChatRequestsAreProblems() {
    for (String body :
        List.of(
            "{\"id\":\"c\",\"agentType\":\"adder\",\"messages\":[]}",
            "{\"id\":\"c\",\"messages\":[{\"id\":\"m\",\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"text\":\"x\"}]}]}",
            "{\"id\":\"c\",\"agentType\":\"adder\",\"messages\":[{\"id\":\"m\",\"role\":\"assistant\",\"parts\":[]}]}",
            "{\"id\":\"c\",\"agentType\":\"nope\",\"messages\":[{\"id\":\"m\",\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"text\":\"x\"}]}]}")) {
      HttpResponse<String> response =
          server.send(
              server
                  .request("/api/chat")
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body)));
      assertTrue(
          response.statusCode() == 400 || response.statusCode() == 404,
          body + " -> " + response.statusCode());
      assertTrue(
          response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
          body);
    }
  }

  private JsonNode chat(String node, String chatId, String agentType, String text) throws Exception {
    return run(node, "chat.mjs", chatId, agentType, text);
  }

  private JsonNode run(String node, String script, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(node, CLIENTS.resolve(script).toString(), server.base.resolve("/api/chat").toString()));
    command.addAll(List.of(args));
    Process process = NodeScripts.process(CLIENTS, command).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("the AI SDK client did not finish");
    }
    assertEquals(0, process.exitValue(), "the AI SDK client failed: " + out);
    return Json.parse(out.substring(out.lastIndexOf('\n') + 1));
  }
}
