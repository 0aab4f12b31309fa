package io.helix.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The third-party Node programs tests drive (the {@code eventsource} and {@code ai} packages, a
 * Prometheus text parser, the reference MCP servers), pinned by their package-lock.json files:
 * finding node and the installed packages, and starting a script with a clean environment.
 */
public final class NodeScripts {

  private NodeScripts() {}

  /**
   * The node executable, once every path of {@code required} exists; without them the test fails
   * under {@code CI=true} and is skipped elsewhere, with {@code install} as the remedy.
   */
  public static String node(String install, Path... required) {
    Optional<Path> node =
        Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .map(dir -> Path.of(dir, "node"))
            .filter(Files::isExecutable)
            .findFirst();
    String problem =
        node.isEmpty()
            ? "node is not on the PATH"
            : Arrays.stream(required)
                .filter(path -> !Files.exists(path))
                .findFirst()
                .map(path -> path + " is missing")
                .orElse(null);
    if (problem != null) {
      String message = problem + ": run `" + install + "` (node 20+)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("CI needs the test's Node programs: " + message);
      }
      Assumptions.abort(message);
    }
    return node.get().toString();
  }

  /**
   * A process running {@code command} in {@code directory} with nothing of this machine's
   * environment but its PATH (never a key or a {@code HELIX_*} setting); its errors go to the
   * test's.
   */
  public static ProcessBuilder process(Path directory, List<String> command) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    String path = System.getenv("PATH");
    builder.environment().clear();
    builder.environment().put("PATH", path == null ? "" : path);
    return builder;
  }
}
