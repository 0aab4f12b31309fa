package io.helix.mcp;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One MCP server an agent takes tools from: either a {@code command} (a stdio server the node
 * starts, keeps and restarts, with {@code env} added to its clean environment) or a {@code url} (a
 * Streamable HTTP server, with {@code headers} sent on every request). Exactly one of the two.
 * Configuration files (e.g. an agents YAML file) map their server entries onto this type.
 *
 * <p>The server's tools reach the model as {@code <name>__<tool>}, so {@code name} is letters,
 * digits, {@code _} and {@code -} (at most 32, no {@code __}).
 *
 * @param name the server's name, unique among an agent's servers
 * @param command the program and its arguments, e.g. {@code ["npx", "-y",
 *     "@modelcontextprotocol/server-everything"]}; empty for a {@code url} server
 * @param env variables for the stdio server, on top of {@code PATH} and {@code HOME} (the only
 *     ones it inherits from the node)
 * @param url the Streamable HTTP endpoint, e.g. {@code https://mcp.example.com/mcp}; null for a
 *     {@code command} server
 * @param headers HTTP headers for a {@code url} server, e.g. {@code Authorization}
 */
public record McpServerConfig(
    String name,
    List<String> command,
    Map<String, String> env,
    String url,
    Map<String, String> headers) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  public McpServerConfig {
    Objects.requireNonNull(name, "an MCP server needs a name");
    if (!NAME.matcher(name).matches() || name.contains(McpTools.SEPARATOR)) {
      throw new IllegalArgumentException(
          "MCP server name '" + name + "' must be 1 to 32 letters, digits, '_' or '-', without '__'");
    }
    command = command == null ? List.of() : List.copyOf(command);
    env = env == null ? Map.of() : Map.copyOf(env);
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    url = url == null || url.isBlank() ? null : url.strip();
    if (command.isEmpty() == (url == null)) {
      throw new IllegalArgumentException(
          "MCP server '" + name + "' needs either a command or a url, not both and not neither");
    }
    if (!command.isEmpty() && command.get(0).isBlank()) {
      throw new IllegalArgumentException("MCP server '" + name + "' has an empty command");
    }
    if (url != null) {
      if (!env.isEmpty()) {
        throw new IllegalArgumentException("MCP server '" + name + "': env is for command servers");
      }
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("MCP server '" + name + "' has a malformed url", e);
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getRawAuthority() == null) {
        throw new IllegalArgumentException(
            "MCP server '" + name + "' needs an http(s) url with a host, was '" + url + "'");
      }
    } else if (!headers.isEmpty()) {
      throw new IllegalArgumentException("MCP server '" + name + "': headers are for url servers");
    }
  }

  /** A stdio server started as {@code command} (program and arguments). */
  public static McpServerConfig stdio(String name, String... command) {
    return new McpServerConfig(name, List.of(command), Map.of(), null, null);
  }

  /** A stdio server started as {@code command}, with {@code env} added to its environment. */
  public static McpServerConfig stdio(String name, List<String> command, Map<String, String> env) {
    return new McpServerConfig(name, command, env, null, null);
  }

  /** A Streamable HTTP server at {@code url}. */
  public static McpServerConfig http(String name, String url) {
    return new McpServerConfig(name, null, null, url, null);
  }

  /** A Streamable HTTP server at {@code url}, sent {@code headers} on every request. */
  public static McpServerConfig http(String name, String url, Map<String, String> headers) {
    return new McpServerConfig(name, null, null, url, headers);
  }

  /** Whether this is a stdio server the node starts (else a Streamable HTTP one). */
  public boolean isStdio() {
    return !command.isEmpty();
  }

  /** Names only: env and header values may be secrets. */
  @Override
  public String toString() {
    return isStdio()
        ? "McpServerConfig[" + name + ", command=" + command + ", env=" + env.keySet() + "]"
        : "McpServerConfig[" + name + ", url=" + url + ", headers=" + headers.keySet() + "]";
  }
}
