package io.helix.stream;

/** The chunk types of helix-agents that the runtime emits. */
public final class ChunkTypes {
  public static final String RUN_START = "run_start";
  public static final String TEXT_DELTA = "text_delta";
  public static final String THINKING = "thinking";
  public static final String TOOL_ARG_STREAM_START = "tool_arg_stream_start";
  public static final String TOOL_ARG_STREAM_DELTA = "tool_arg_stream_delta";
  public static final String TOOL_START = "tool_start";
  public static final String TOOL_END = "tool_end";
  public static final String SUBAGENT_START = "subagent_start";
  public static final String SUBAGENT_END = "subagent_end";
  public static final String STATE_PATCH = "state_patch";
  public static final String CUSTOM = "custom";
  public static final String OUTPUT = "output";
  public static final String ERROR = "error";
  public static final String RUN_END = "run_end";
  /** The deltas of a step streamed so far are void: the model call is made again. */
  public static final String STREAM_RESYNC = "stream_resync";

  /** A tool call waits for approval: {@code toolCallId, toolName, approvalId, input}. */
  public static final String TOOL_APPROVAL_REQUEST = "tool_approval_request";
  /** An approval was decided: {@code toolCallId, approvalId, approved, reason}. */
  public static final String TOOL_APPROVAL_DECISION = "tool_approval_decision";
  /** A call of a client-executed tool waits for its result: {@code toolCallId, toolName, input}. */
  public static final String CLIENT_TOOL_REQUEST = "client_tool_request";
  /** The run's status changed short of its end: {@code status, pending}. */
  public static final String RUN_STATUS = "run_status";
  /** The run was interrupted: {@code reason}. */
  public static final String RUN_INTERRUPTED = "run_interrupted";
  /** An interrupted run goes on: {@code message} (null for none). */
  public static final String RUN_RESUMED = "run_resumed";

  private ChunkTypes() {}
}
