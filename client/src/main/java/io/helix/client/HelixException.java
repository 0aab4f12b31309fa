package io.helix.client;

/**
 * A call to the Helix server failed: the server could not be reached, the connection broke, the
 * calling thread was interrupted, or a stream gave up reconnecting. An error answer of the server
 * itself is the subclass {@link HelixApiException}.
 */
public class HelixException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public HelixException(String message, Throwable cause) {
    super(message, cause);
  }

  public HelixException(String message) {
    super(message);
  }
}
