package io.helix.mcp;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

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
    String node = onPath("node");
    String problem = null;
    if (node == null) {
      problem = "node is not on the PATH";
    } else if (!Files.isRegularFile(EVERYTHING)) {
      problem = "the test MCP servers are not installed (" + EVERYTHING + " is missing)";
    }
    if (problem != null) {
      String message = problem + ": run `npm ci --prefix mcp/src/test/node` (node 20+)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("CI needs the MCP test servers: " + message);
      }
      Assumptions.abort("MCP tests skipped: " + message);
    }
    return node;
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

  private static String onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    List<String> found = new ArrayList<>();
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        found.add(candidate.toString());
      }
    }
    return found.isEmpty() ? null : found.get(0);
  }
}
