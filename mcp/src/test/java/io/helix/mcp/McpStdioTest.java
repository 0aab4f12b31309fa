package io.helix.mcp;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.Tool;
import io.helix.json.Json;
import io.helix.testkit.TestToolContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The real {@code @modelcontextprotocol/server-everything} over stdio: tools, calls, results. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpStdioTest {

  private McpToolSource everything;

  @BeforeAll
  void start() throws Exception {
    everything =
        McpTools.server(
            TestServers.everything("everything", Map.of("HELIX_MCP_TEST", "configured")),
            TestServers.settings());
    await(everything.ready());
  }

  @AfterAll
  void stop() {
    if (everything != null) {
      everything.close();
    }
  }

  static Tool tool(McpToolSource source, String name) {
    return source.tools().stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " is not among " + names(source)));
  }

  static Set<String> names(McpToolSource source) {
    return new TreeSet<>(source.tools().stream().map(Tool::name).toList());
  }

  static JsonNode call(McpToolSource source, String tool, JsonNode input) throws Exception {
    return Json.toTree(await(tool(source, tool).execute(input, new TestToolContext())));
  }

  @Test
  void offersTheServersToolsAsServerUnderscoreToolWithTheirInputSchemas() {
    Set<String> names = names(everything);
    assertTrue(names.containsAll(List.of("everything__echo", "everything__get-sum", "everything__get-env")), names.toString());
    assertTrue(names.stream().allMatch(n -> n.startsWith("everything__")), names.toString());

    Tool echo = tool(everything, "everything__echo");
    assertEquals("Echoes back the input string", echo.description());
    assertEquals("object", echo.inputSchema().get("type").asText());
    assertEquals("string", echo.inputSchema().at("/properties/message/type").asText());
    assertEquals("message", echo.inputSchema().at("/required/0").asText());
  }

  @Test
  void aToolsTextIsItsResult() throws Exception {
    assertEquals("Echo: hello", call(everything, "everything__echo", Json.object().put("message", "hello")).asText());
    assertEquals(
        "The sum of 2 and 3 is 5.",
        call(everything, "everything__get-sum", Json.object().put("a", 2).put("b", 3)).asText());
  }

  @Test
  void structuredContentIsTheResultWhenThereIsSome() throws Exception {
    JsonNode weather =
        call(everything, "everything__get-structured-content", Json.object().put("location", "Chicago"));
    assertTrue(weather.get("temperature").isNumber(), weather.toString());
    assertTrue(weather.get("conditions").isTextual(), weather.toString());
  }

  @Test
  void anIsErrorResultIsAFailedToolCall() {
    ExecutionException failed =
        assertThrows(
            ExecutionException.class,
            () -> call(everything, "everything__get-sum", Json.object().put("a", "two").put("b", 3)));
    McpToolException error = assertInstanceOf(McpToolException.class, failed.getCause());
    assertTrue(error.getMessage().startsWith("MCP tool 'everything__get-sum' failed: "), error.getMessage());
  }

  @Test
  void theServerGetsACleanEnvironment() throws Exception {
    JsonNode env = Json.parse(call(everything, "everything__get-env", Json.object()).asText());
    Set<String> names = new TreeSet<>();
    env.fieldNames().forEachRemaining(names::add);
    assertEquals("configured", env.path("HELIX_MCP_TEST").asText());
    assertTrue(names.contains("PATH"), names.toString());
    assertTrue(Set.of("PATH", "HOME", "HELIX_MCP_TEST").containsAll(names), "only PATH, HOME and env: " + names);
  }

  @Test
  void aCancelledCallStopsWaitingForTheServer() {
    TestToolContext context = new TestToolContext();
    CompletableFuture<?> running =
        tool(everything, "everything__trigger-long-running-operation")
            .execute(Json.object().put("duration", 60).put("steps", 1), context)
            .toCompletableFuture();
    context.cancel("the run was aborted");
    ExecutionException failed = assertThrows(ExecutionException.class, () -> await(running));
    McpToolException cancelled = assertInstanceOf(McpToolException.class, failed.getCause());
    assertTrue(cancelled.getMessage().contains("the run was aborted"), cancelled.getMessage());
  }
}
