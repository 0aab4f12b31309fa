package io.helix.history;

import java.util.List;

/**
 * A page of runs, newest first.
 *
 * @param nextCursor gives the next page to {@link StateStore#list}; null on the last page
 */
public record RunPage(List<AgentStateRow> runs, String nextCursor) {

  public RunPage {
    runs = List.copyOf(runs);
  }

  public boolean hasMore() {
    return nextCursor != null;
  }
}
