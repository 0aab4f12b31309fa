package io.helix.client;

/**
 * A run's status. On the wire it is the lower-case name: {@code running}, {@code suspended},
 * {@code interrupted}, {@code completed}, {@code failed}.
 */
public enum RunStatus {
  RUNNING,
  COMPLETED,
  FAILED,
  /** The run waits for an approval or a client-executed tool's result. */
  SUSPENDED,
  /** The run was interrupted and waits to be resumed. */
  INTERRUPTED,
  /** A status this client does not know (sent by a newer server). */
  UNKNOWN;

  /** The wire name, e.g. {@code running}. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether the run has ended: completed or failed. */
  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED;
  }

  /** The status of a wire name; {@link #UNKNOWN} for null or a name this client does not know. */
  public static RunStatus of(String wireName) {
    if (wireName != null) {
      for (RunStatus status : values()) {
        if (status != UNKNOWN && status.wireName().equals(wireName)) {
          return status;
        }
      }
    }
    return UNKNOWN;
  }
}
