package io.helix.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.ToolSource;
import io.helix.mcp.McpServerConfig;
import io.helix.mcp.McpToolSource;
import io.helix.mcp.McpTools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code mcpServers} of an agents file: each a stdio {@code command} or a Streamable HTTP {@code url}. */
final class McpServers {

  private static final Set<String> FIELDS = Set.of("command", "env", "url", "headers");

  private final Path file;
  private final Map<String, McpServerConfig> specs;
  // one source per server, shared by the agents that name it; started when first named
  private final Map<String, McpToolSource> sources = new LinkedHashMap<>();

  private McpServers(Path file, Map<String, McpServerConfig> specs) {
    this.file = file;
    this.specs = specs;
  }

  static McpServers parse(Path file, JsonNode servers) {
    Map<String, McpServerConfig> specs = new LinkedHashMap<>();
    if (servers.isMissingNode() || servers.isNull()) {
      return new McpServers(file, specs);
    }
    if (!servers.isObject()) {
      throw new AgentsFile.AgentsFileException(file + ": mcpServers: must be a mapping of names to servers");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = servers.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> server = it.next();
      String at = "mcpServers." + server.getKey();
      JsonNode spec = server.getValue();
      if (!server.getKey().matches("[A-Za-z0-9_-]{1,48}")) {
        throw error(file, at, "a server's name is letters, digits, _ and - (at most 48)");
      }
      if (!spec.isObject()) {
        throw error(file, at, "must be a mapping with command or url");
      }
      AgentsFile.unknownFields(file, at + ".", spec, FIELDS);
      boolean command = spec.has("command");
      if (command == spec.has("url")) {
        throw error(file, at, "needs exactly one of command (a list) and url");
      }
      List<String> argv = new ArrayList<>();
      if (command) {
        if (!spec.get("command").isArray() || spec.get("command").isEmpty()) {
          throw error(file, at + ".command", "must be a non-empty list, e.g. [npx, -y, some-server]");
        }
        spec.get("command").forEach(arg -> argv.add(arg.asText()));
      } else if (!spec.get("url").isTextual()
          || !spec.get("url").asText().matches("https?://.+")) {
        throw error(file, at + ".url", "must be an http:// or https:// URL");
      }
      try {
        specs.put(
            server.getKey(),
            command
                ? McpServerConfig.stdio(
                    server.getKey(), List.copyOf(argv), strings(file, at + ".env", spec.get("env")))
                : McpServerConfig.http(
                    server.getKey(),
                    spec.get("url").asText(),
                    strings(file, at + ".headers", spec.get("headers"))));
      } catch (IllegalArgumentException e) {
        throw error(file, at, e.getMessage());
      }
    }
    return new McpServers(file, specs);
  }

  /** The tools of the server {@code name}, for the agent field {@code at}. */
  ToolSource tools(String name, String at) {
    McpServerConfig spec = specs.get(name);
    if (spec == null) {
      throw error(file, at, "no MCP server named '" + name + "' (declared: " + specs.keySet() + ")");
    }
    return sources.computeIfAbsent(name, n -> McpTools.server(spec));
  }

  private static Map<String, String> strings(Path file, String at, JsonNode node) {
    Map<String, String> values = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return values;
    }
    if (!node.isObject()) {
      throw error(file, at, "must be a mapping of names to strings");
    }
    node.fields().forEachRemaining(e -> {
      if (!e.getValue().isValueNode()) {
        throw error(file, at + "." + e.getKey(), "must be a string");
      }
      values.put(e.getKey(), e.getValue().asText());
    });
    return values;
  }

  private static AgentsFile.AgentsFileException error(Path file, String field, String reason) {
    return new AgentsFile.AgentsFileException(file + ": " + field + ": " + reason);
  }
}
