package io.helix.agent;

import java.util.List;

/**
 * Tools whose list may change while the node runs, e.g. an MCP server's (helix-mcp's {@code
 * McpTools.server(...)}). An agent consults its sources each time it builds the model's request
 * ({@link AgentDefinition#modelTools()}) and each time it resolves a tool call ({@link
 * AgentDefinition#tool(String)}), so a refreshed list takes effect at the next step.
 *
 * <p>{@link #tools()} runs on the run's actor: it must return at once, from memory (a snapshot
 * the source keeps up to date on its own threads), and must not block or do I/O.
 *
 * <p>A source's tool whose name is already taken, by one of the agent's own tools, a sub-agent
 * tool, {@value AgentDefinition#FINISH_TOOL} or an earlier source's tool, is not offered.
 */
@FunctionalInterface
public interface ToolSource {

  /** The tools as they are now; never null, never blocking. */
  List<Tool> tools();

  /** A source of a fixed list of tools. */
  static ToolSource of(List<Tool> tools) {
    List<Tool> fixed = List.copyOf(tools);
    return () -> fixed;
  }
}
