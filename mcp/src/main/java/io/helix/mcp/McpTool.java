package io.helix.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.Tool;
import io.helix.agent.ToolContext;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tool of an MCP server as the agent sees it: {@code <server>__<tool>}, the server's
 * description and input schema; a call goes to the server through its {@link McpToolSource}.
 */
final class McpTool implements Tool {

  private static final Logger log = LoggerFactory.getLogger(McpTool.class);

  private final McpToolSource source;
  private final String name;
  private final String mcpName;
  private final String description;
  private final JsonNode inputSchema;

  /**
   * The tools of a listing, named {@code <server>__<tool>}; of two whose names come out the same,
   * the first.
   */
  static List<Tool> all(McpToolSource source, List<McpSchema.Tool> listed) {
    Map<String, Tool> byName = new LinkedHashMap<>();
    for (McpSchema.Tool tool : listed) {
      String name = McpTools.toolName(source.name(), tool.name());
      if (byName.containsKey(name)) {
        log.warn("MCP server '{}': tool '{}' is left out, its name '{}' is taken", source.name(),
            tool.name(), name);
        continue;
      }
      String description =
          tool.description() != null ? tool.description()
              : tool.title() != null ? tool.title()
              : "The tool " + tool.name() + " of " + source.name();
      byName.put(
          name,
          new McpTool(source, name, tool.name(), description, McpResults.inputSchema(tool.inputSchema())));
    }
    return List.copyOf(byName.values());
  }

  McpTool(McpToolSource source, String name, String mcpName, String description, JsonNode inputSchema) {
    this.source = source;
    this.name = name;
    this.mcpName = mcpName;
    this.description = description;
    this.inputSchema = inputSchema;
  }

  @Override
  public String name() {
    return name;
  }

  /** The tool's name on its server. */
  String mcpName() {
    return mcpName;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public JsonNode inputSchema() {
    return inputSchema;
  }

  /** Sends {@code tools/call}; never blocks (the SDK's client is asynchronous). */
  @Override
  public CompletionStage<?> execute(JsonNode input, ToolContext context) {
    return source.call(this, input, context);
  }

  @Override
  public String toString() {
    return "McpTool[" + name + "]";
  }
}
