package io.helix.stream;

/**
 * A subscription ended before its stream did because the stream cannot be reached from here (this
 * node is stopping). Nothing is lost: subscribe again, on another node, from {@link
 * #resumeOffset()}.
 */
public final class StreamUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String streamId;
  private final long resumeOffset;

  public StreamUnavailableException(String streamId, long resumeOffset) {
    super(
        "stream '" + streamId + "' is unavailable here (the node is stopping); resume from offset "
            + resumeOffset,
        null,
        false,
        false);
    this.streamId = streamId;
    this.resumeOffset = resumeOffset;
  }

  public String streamId() {
    return streamId;
  }

  /** The offset of the first chunk this subscriber did not get. */
  public long resumeOffset() {
    return resumeOffset;
  }
}
