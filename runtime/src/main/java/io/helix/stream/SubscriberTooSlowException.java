package io.helix.stream;

/**
 * A stream subscriber fell more than its buffer behind the stream and was disconnected, so that it
 * holds up neither the writer nor the other subscribers. It resumes by subscribing again from
 * {@link #resumeOffset()}: nothing is lost.
 */
public final class SubscriberTooSlowException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String streamId;
  private final long resumeOffset;

  public SubscriberTooSlowException(String streamId, long resumeOffset, int buffer) {
    super(
        "subscriber of stream '"
            + streamId
            + "' fell more than "
            + buffer
            + " chunks behind; resume from offset "
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
