package io.helix.mcp;

import io.helix.testkit.NodeScripts;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The real MCP servers of the tests, from {@code src/test/node} (pinned by its package-lock.json,
 * installed by {@code npm ci --prefix mcp/src/test/node}): {@code
 * @modelcontextprotocol/server-everything} and {@code changing-server.mjs}. Without node or the
 * packages the tests fail on CI ({@code CI=true}) and are skipped elsewhere.
 */
final class TestServers {

  static final Path NODE_DIR = Path.of("src/test/node").toAbsolutePath();
  static final Path EVERYTHING =
      NODE_DIR.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
  static final Path CHANGING = NODE_DIR.resolve("changing-server.mjs");

  private TestServers() {}

  /** The node executable; fails on CI and skips elsewhere when node or the packages are missing. */
  static String node() {
    return NodeScripts.node("npm ci --prefix mcp/src/test/node", EVERYTHING, CHANGING);
  }

  /** server-everything over stdio, as server {@code name}, with {@code env} added. */
  static McpServerConfig everything(String name, Map<String, String> env) {
    return McpServerConfig.stdio(name, List.of(node(), EVERYTHING.toString(), "stdio"), env);
  }

  /** changing-server.mjs over stdio, as server {@code name}. */
  static McpServerConfig changing(String name) {
    return McpServerConfig.stdio(name, node(), CHANGING.toString());
  }

  /** Settings for tests: quick restarts, bounded waits. */
  static McpSettings settings() {
    return new McpSettings(
        java.time.Duration.ofSeconds(20),
        java.time.Duration.ofSeconds(20),
        java.time.Duration.ofMillis(100),
        java.time.Duration.ofSeconds(2));
  }
}
