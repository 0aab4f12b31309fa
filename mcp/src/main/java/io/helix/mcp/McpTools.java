package io.helix.mcp;

import java.util.regex.Pattern;

/**
 * MCP servers as tool sources, for agents built in Java:
 *
 * <pre>{@code
 * McpToolSource everything =
 *     McpTools.server(McpServerConfig.stdio("everything", "npx", "-y", "@modelcontextprotocol/server-everything"));
 * AgentDefinition agent =
 *     AgentDefinition.builder("helper").model("openai:gpt-4o-mini").toolSource(everything).build();
 * }</pre>
 *
 * The model then sees the server's tools as {@code everything__echo}, {@code everything__get-sum},
 * ... with the server's input schemas. One source may serve several agents; close it when the
 * node stops.
 */
public final class McpTools {

  /** Between the server's name and the tool's: {@code <server>__<tool>}. */
  public static final String SEPARATOR = "__";

  /** The {@code _meta} key of a call that holds the run's idempotency key ({@code runId/step/toolCallId}). */
  public static final String IDEMPOTENCY_KEY = "io.helix/idempotencyKey";

  /** The longest tool name models take (OpenAI's limit). */
  static final int MAX_NAME = 64;

  private static final Pattern NOT_ALLOWED = Pattern.compile("[^A-Za-z0-9_-]");

  private McpTools() {}

  /** Starts the server with the node's {@code helix.mcp} settings; see {@link McpToolSource}. */
  public static McpToolSource server(McpServerConfig config) {
    return server(config, McpSettings.load());
  }

  /** Starts the server with these settings; see {@link McpToolSource}. */
  public static McpToolSource server(McpServerConfig config, McpSettings settings) {
    McpToolSource source = new McpToolSource(config, settings);
    source.start();
    return source;
  }

  /**
   * The name the model sees for {@code tool} of {@code server}: {@code <server>__<tool>}, with
   * characters models do not take in a tool name ({@code [A-Za-z0-9_-]} only) replaced by {@code
   * _}, cut at 64 characters.
   */
  public static String toolName(String server, String tool) {
    String name = server + SEPARATOR + NOT_ALLOWED.matcher(tool).replaceAll("_");
    return name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
  }
}
