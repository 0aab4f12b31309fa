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

  /**
   * An error's message and its causes', each once ("no answer in time" for a timeout), less the
   * SDK's wrapping ("Client failed to initialize ...").
   */
  static String describe(Throwable error) {
    StringBuilder text = new StringBuilder();
    Throwable cause = error;
    for (int depth = 0; cause != null && depth < 10; depth++, cause = cause.getCause()) {
      if (cause instanceof java.util.concurrent.CompletionException
          || cause instanceof java.util.concurrent.ExecutionException) {
        continue;
      }
      String part =
          cause instanceof java.util.concurrent.TimeoutException ? "no answer in time"
              : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      if (part.startsWith("Client failed to initialize") || text.indexOf(part) >= 0) {
        continue;
      }
      text.append(text.length() == 0 ? "" : ": ").append(part);
    }
    return text.length() == 0 ? error.getClass().getSimpleName() : text.toString();
  }
}
