package io.helix.stream;

/**
 * A stream subscriber fell more than its buffer behind the stream and was disconnected, so that it
 * holds up neither the writer nor the other subscribers. It resumes by subscribing again from
 * {@link #resumeOffset()}: nothing is lost.
 */
public final class SubscriberTooSlowException extends StreamInterruptedException {
  private static final long serialVersionUID = 1L;

  public SubscriberTooSlowException(String streamId, long resumeOffset, int buffer) {
    super(
        streamId,
        resumeOffset,
        "subscriber of stream '" + streamId + "' fell more than " + buffer
            + " chunks behind; resume from offset " + resumeOffset);
  }
}
