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

  private ChunkTypes() {}
}
