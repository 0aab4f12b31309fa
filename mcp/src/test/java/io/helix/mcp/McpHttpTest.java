package io.helix.mcp;

import static io.helix.mcp.McpStdioTest.call;
import static io.helix.mcp.McpStdioTest.names;
import static io.helix.testkit.TestRuntime.await;
import static io.helix.testkit.TestRuntime.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.json.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code url} server: the real server-everything over Streamable HTTP on a loopback port. When
 * it goes away its calls fail as tool errors; when it is back, the source connects again.
 */
class McpHttpTest {

  private Process server;

  private Process startServer(int port) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(TestServers.node(), TestServers.EVERYTHING.toString(), "streamableHttp");
    StdioProcessTransport.cleanEnvironment(builder.environment(), Map.of("PORT", String.valueOf(port)));
    builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.redirectError(ProcessBuilder.Redirect.DISCARD);
    return builder.start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.destroyForcibly();
    }
  }

  @Test
  void aStreamableHttpServersToolsAreCalledAndItIsConnectedToAgainWhenItIsBack() throws Exception {
    TestServers.node();
    int port = freePort();
    server = startServer(port);
    McpServerConfig remote =
        McpServerConfig.http(
            "remote", "http://127.0.0.1:" + port + "/mcp", Map.of("X-Helix-Test", "header"));
    try (McpToolSource source = McpTools.server(remote, TestServers.settings())) {
      // the source tries again until the server listens
      await(source.ready());
      assertTrue(names(source).containsAll(List.of("remote__echo", "remote__get-sum")), names(source).toString());
      assertEquals("Echo: over http", call(source, "remote__echo", Json.object().put("message", "over http")).asText());
      assertTrue(source.pid().isEmpty(), "no process of ours");

      server.destroyForcibly().waitFor();
      ExecutionException failed =
          assertThrows(
              ExecutionException.class,
              () -> call(source, "remote__echo", Json.object().put("message", "nobody there")));
      McpToolException error = assertInstanceOf(McpToolException.class, failed.getCause());
      assertTrue(error.getMessage().startsWith("MCP server 'remote' cannot be reached ("), error.getMessage());
      assertTrue(error.getMessage().endsWith("during the call to 'echo'; connecting to it again"), error.getMessage());

      server = startServer(port);
      awaitCondition(() -> source.starts() == 2, Duration.ofSeconds(30));
      assertEquals("Echo: back", call(source, "remote__echo", Json.object().put("message", "back")).asText());
    }
  }
}
