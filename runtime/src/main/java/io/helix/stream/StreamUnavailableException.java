package io.helix.stream;

/**
 * A subscription ended before its stream did because the stream cannot be reached from here (this
 * node is stopping). Nothing is lost: subscribe again, on another node, from {@link
 * #resumeOffset()}.
 */
public final class StreamUnavailableException extends StreamInterruptedException {
  private static final long serialVersionUID = 1L;

  public StreamUnavailableException(String streamId, long resumeOffset) {
    super(
        streamId,
        resumeOffset,
        "stream '" + streamId + "' is unavailable here (the node is stopping); resume from offset "
            + resumeOffset);
  }
}
