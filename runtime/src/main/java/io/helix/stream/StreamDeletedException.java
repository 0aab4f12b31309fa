package io.helix.stream;

/** The stream ended and was deleted after its retention period ({@code helix.stream.retention}). */
public final class StreamDeletedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String streamId;
  private final long endedAt;
  private final long deletedAt;

  public StreamDeletedException(String streamId, long endedAt, long deletedAt) {
    super(
        "stream '" + streamId + "' ended and was deleted after its retention period",
        null,
        false,
        false);
    this.streamId = streamId;
    this.endedAt = endedAt;
    this.deletedAt = deletedAt;
  }

  public String streamId() {
    return streamId;
  }

  /** When the stream ended, epoch millis. */
  public long endedAt() {
    return endedAt;
  }

  /** When its chunks were deleted, epoch millis. */
  public long deletedAt() {
    return deletedAt;
  }
}
