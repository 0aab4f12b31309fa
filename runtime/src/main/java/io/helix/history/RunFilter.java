package io.helix.history;

import io.helix.agent.RunStatus;
import java.time.Instant;

/**
 * Which runs {@link StateStore#list} answers; a null field does not filter.
 *
 * @param createdFrom runs started at or after this
 * @param createdBefore runs started before this
 * @param rootsOnly only runs that are not a sub-agent's
 * @param byOwner only the runs of {@code owner} (null: the shared principal's)
 */
public record RunFilter(
    RunStatus status,
    String agentType,
    Instant createdFrom,
    Instant createdBefore,
    boolean rootsOnly,
    boolean byOwner,
    String owner) {

  private static final RunFilter ALL = new RunFilter(null, null, null, null, false, false, null);

  /** A filter on no owner (the form before owners existed). */
  public RunFilter(
      RunStatus status,
      String agentType,
      Instant createdFrom,
      Instant createdBefore,
      boolean rootsOnly) {
    this(status, agentType, createdFrom, createdBefore, rootsOnly, false, null);
  }

  /** Every run. */
  public static RunFilter all() {
    return ALL;
  }

  public RunFilter withStatus(RunStatus value) {
    return new RunFilter(value, agentType, createdFrom, createdBefore, rootsOnly, byOwner, owner);
  }

  public RunFilter withAgentType(String value) {
    return new RunFilter(status, value, createdFrom, createdBefore, rootsOnly, byOwner, owner);
  }

  /** Runs started in {@code [from, before)}; either may be null. */
  public RunFilter createdBetween(Instant from, Instant before) {
    return new RunFilter(status, agentType, from, before, rootsOnly, byOwner, owner);
  }

  public RunFilter withRootsOnly(boolean value) {
    return new RunFilter(status, agentType, createdFrom, createdBefore, value, byOwner, owner);
  }

  /** Only the runs of {@code value}; null: of the shared principal. */
  public RunFilter withOwner(String value) {
    return new RunFilter(status, agentType, createdFrom, createdBefore, rootsOnly, true, value);
  }
}
