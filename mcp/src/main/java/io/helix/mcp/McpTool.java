package io.helix.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.Tool;
import io.helix.agent.ToolContext;
import java.util.concurrent.CompletionStage;

/**
 * One tool of an MCP server as the agent sees it: {@code <server>__<tool>}, the server's
 * description and input schema; a call goes to the server through its {@link McpToolSource}.
 */
final class McpTool implements Tool {

  private final McpToolSource source;
  private final String name;
  private final String mcpName;
  private final String description;
  private final JsonNode inputSchema;

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
