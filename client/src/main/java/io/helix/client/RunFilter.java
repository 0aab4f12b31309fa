package io.helix.client;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which runs {@link HelixClient#runs(RunFilter)} lists, and which page: {@code
 * RunFilter.all().withStatus(RunStatus.COMPLETED).withAgentType("research").withLimit(20)}; for the
 * next page, {@code filter.withCursor(page.nextCursor())}. Immutable.
 *
 * @param status only runs of this status, or null for any
 * @param agentType only runs of this agent type, or null for any
 * @param createdFrom only runs started at or after this, or null
 * @param createdBefore only runs started before this, or null
 * @param rootsOnly only runs that are not a sub-agent's
 * @param limit at most this many runs (1..1000), or null for the server's default (50)
 * @param cursor the previous page's {@link RunPage#nextCursor()}, or null for the first page
 */
public record RunFilter(
    RunStatus status,
    String agentType,
    Instant createdFrom,
    Instant createdBefore,
    boolean rootsOnly,
    Integer limit,
    String cursor) {

  public RunFilter {
    if (status == RunStatus.UNKNOWN) {
      throw new IllegalArgumentException("filter by running, completed or failed");
    }
    if (limit != null && (limit < 1 || limit > 1000)) {
      throw new IllegalArgumentException("limit must be in 1..1000, was " + limit);
    }
  }

  /** Every run, the first page of the server's default size. */
  public static RunFilter all() {
    return new RunFilter(null, null, null, null, false, null, null);
  }

  public RunFilter withStatus(RunStatus status) {
    return new RunFilter(status, agentType, createdFrom, createdBefore, rootsOnly, limit, cursor);
  }

  public RunFilter withAgentType(String agentType) {
    return new RunFilter(status, agentType, createdFrom, createdBefore, rootsOnly, limit, cursor);
  }

  /** Runs started at or after {@code from} and before {@code before}; either may be null. */
  public RunFilter createdBetween(Instant from, Instant before) {
    return new RunFilter(status, agentType, from, before, rootsOnly, limit, cursor);
  }

  public RunFilter withRootsOnly(boolean rootsOnly) {
    return new RunFilter(status, agentType, createdFrom, createdBefore, rootsOnly, limit, cursor);
  }

  public RunFilter withLimit(int limit) {
    return new RunFilter(status, agentType, createdFrom, createdBefore, rootsOnly, limit, cursor);
  }

  public RunFilter withCursor(String cursor) {
    return new RunFilter(status, agentType, createdFrom, createdBefore, rootsOnly, limit, cursor);
  }

  /** The query parameters of {@code GET /agent/runs}, unencoded. */
  Map<String, String> queryParameters() {
    Map<String, String> query = new LinkedHashMap<>();
    if (status != null) {
      query.put("status", status.wireName());
    }
    if (agentType != null) {
      query.put("agentType", agentType);
    }
    if (createdFrom != null) {
      query.put("createdFrom", createdFrom.toString());
    }
    if (createdBefore != null) {
      query.put("createdBefore", createdBefore.toString());
    }
    if (rootsOnly) {
      query.put("rootsOnly", "true");
    }
    if (limit != null) {
      query.put("limit", limit.toString());
    }
    if (cursor != null) {
      query.put("cursor", cursor);
    }
    return query;
  }
}
