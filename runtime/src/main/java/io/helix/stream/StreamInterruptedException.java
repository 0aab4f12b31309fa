package io.helix.stream;

/**
 * A subscription ended before its stream did. Nothing is lost: subscribe again from {@link
 * #resumeOffset()}.
 */
public abstract class StreamInterruptedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String streamId;
  private final long resumeOffset;

  StreamInterruptedException(String streamId, long resumeOffset, String message) {
    super(message, null, false, false);
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
