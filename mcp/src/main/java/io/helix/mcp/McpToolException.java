package io.helix.mcp;

/**
 * Why an MCP tool call failed: the tool's own error ({@code isError}), the server's refusal (a
 * JSON-RPC error), a server that died or cannot be reached, or no answer in time. In a run it is a
 * failed tool result, which the model sees with this message.
 */
public final class McpToolException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public McpToolException(String message) {
    super(message);
  }

  public McpToolException(String message, Throwable cause) {
    super(message, cause);
  }
}
