package io.helix.mcp;

import static io.helix.mcp.McpStdioTest.call;
import static io.helix.mcp.McpStdioTest.names;
import static io.helix.mcp.McpStdioTest.tool;
import static io.helix.testkit.TestRuntime.await;
import static io.helix.testkit.TestRuntime.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import io.helix.testkit.TestToolContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * A stdio server killed with SIGKILL is started again (a new process), its call in flight fails
 * as a tool error, and the tool list is listed again, on {@code notifications/tools/list_changed}
 * and after the restart.
 */
class McpRestartTest {

  private static final Duration DEADLINE = Duration.ofSeconds(30);

  /** Kills the process like {@code kill -9 <pid>} (SIGKILL). */
  static void kill9(long pid) {
    assertTrue(ProcessHandle.of(pid).orElseThrow().destroyForcibly(), "SIGKILL sent to " + pid);
  }

  @Test
  void aKilledServerIsRestartedAndItsCallInFlightFailsAsAToolError() throws Exception {
    try (McpToolSource source =
        McpTools.server(TestServers.everything("everything", Map.of()), TestServers.settings())) {
      await(source.ready());
      long pid = source.pid().orElseThrow();

      CompletableFuture<?> inFlight =
          tool(source, "everything__trigger-long-running-operation")
              .execute(Json.object().put("duration", 60).put("steps", 1), new TestToolContext())
              .toCompletableFuture();
      // the server answers in order: once a later call is answered, it has the first one
      assertEquals("Echo: after", call(source, "everything__echo", Json.object().put("message", "after")).asText());
      assertFalse(inFlight.isDone());
      assertEquals(1, source.callsInFlight());

      kill9(pid);

      ExecutionException failed = assertThrows(ExecutionException.class, () -> await(inFlight));
      McpToolException error = assertInstanceOf(McpToolException.class, failed.getCause());
      assertTrue(
          error.getMessage().startsWith("MCP server 'everything' exited with code 137"),
          error.getMessage());
      assertTrue(
          error.getMessage().contains("during the call to 'trigger-long-running-operation'"),
          error.getMessage());

      awaitCondition(() -> source.starts() == 2 && source.pid().isPresent(), DEADLINE);
      assertNotEquals(pid, source.pid().getAsLong(), "a new process");
      assertTrue(ProcessHandle.of(source.pid().getAsLong()).map(ProcessHandle::isAlive).orElse(false));
      assertEquals(
          "The sum of 1 and 2 is 3.",
          call(source, "everything__get-sum", Json.object().put("a", 1).put("b", 2)).asText());
    }
  }

  @Test
  void aCallWhileTheServerRestartsWaitsForIt() throws Exception {
    try (McpToolSource source =
        McpTools.server(TestServers.everything("everything", Map.of()), TestServers.settings())) {
      await(source.ready());
      kill9(source.pid().orElseThrow());
      awaitCondition(() -> source.pid().isEmpty(), DEADLINE);
      // sent while no server runs: it goes to the next one
      assertEquals("Echo: later", call(source, "everything__echo", Json.object().put("message", "later")).asText());
      assertEquals(2, source.starts());
    }
  }

  @Test
  void theToolListIsListedAgainOnListChangedAndAfterARestart() throws Exception {
    try (McpToolSource source = McpTools.server(TestServers.changing("changing"), TestServers.settings())) {
      await(source.ready());
      assertEquals(java.util.Set.of("changing__add-tool", "changing__meta"), names(source));

      assertEquals("added fresh", call(source, "changing__add-tool", Json.object().put("name", "fresh")).asText());
      awaitCondition(() -> names(source).contains("changing__fresh"), DEADLINE);
      assertEquals("I am fresh", call(source, "changing__fresh", Json.object()).asText());

      long pid = source.pid().orElseThrow();
      kill9(pid);
      // the new process has only the tools it starts with
      awaitCondition(() -> source.starts() == 2 && !names(source).contains("changing__fresh"), DEADLINE);
      assertEquals(java.util.Set.of("changing__add-tool", "changing__meta"), names(source));
    }
  }

  @Test
  void aCallCarriesTheRunsIdempotencyKeyInMeta() throws Exception {
    try (McpToolSource source = McpTools.server(TestServers.changing("changing"), TestServers.settings())) {
      await(source.ready());
      TestToolContext context = new TestToolContext();
      JsonNode meta =
          Json.parse(Json.toTree(await(tool(source, "changing__meta").execute(Json.object(), context))).asText());
      assertEquals(context.idempotencyKey(), meta.path(McpTools.IDEMPOTENCY_KEY).asText());
      assertEquals("test-run/1/call-1", meta.path(McpTools.IDEMPOTENCY_KEY).asText());
    }
  }

  @Test
  void aServerThatExitsAtOnceFailsItsCallsWithItsExitCodeAndLastWords() throws Exception {
    McpServerConfig quitter =
        McpServerConfig.stdio("quitter", TestServers.node(), "-e", "console.error('no luck'); process.exit(3)");
    try (McpToolSource source = McpTools.server(quitter, TestServers.settings())) {
      McpTool ghost =
          new McpTool(source, "quitter__ghost", "ghost", "never there", Json.object().put("type", "object"));
      ExecutionException failed =
          assertThrows(ExecutionException.class, () -> await(ghost.execute(Json.object(), new TestToolContext())));
      assertEquals(
          "MCP server 'quitter' could not be started: exited with code 3 (stderr: no luck)",
          failed.getCause().getMessage());
    }
  }

  @Test
  void aServerThatCannotStartFailsItsCallsAndIsTriedAgain() throws Exception {
    McpServerConfig missing = McpServerConfig.stdio("missing", "/nonexistent/helix-mcp-server");
    try (McpToolSource source = McpTools.server(missing, TestServers.settings())) {
      McpTool ghost =
          new McpTool(source, "missing__ghost", "ghost", "never there", Json.object().put("type", "object"));
      ExecutionException failed =
          assertThrows(ExecutionException.class, () -> await(ghost.execute(Json.object(), new TestToolContext())));
      assertTrue(
          failed.getCause().getMessage().startsWith("MCP server 'missing' could not be started: "),
          failed.getCause().getMessage());
      assertEquals(0, source.starts());
      assertTrue(source.tools().isEmpty());
    }
  }
}
