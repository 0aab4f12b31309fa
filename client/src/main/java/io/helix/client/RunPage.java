package io.helix.client;

import java.util.List;

/**
 * A page of runs ({@code GET /agent/runs}), newest first.
 *
 * @param nextCursor the cursor of the next page ({@link RunFilter#withCursor(String)}), null on the
 *     last page
 */
public record RunPage(List<RunSummary> runs, String nextCursor) {

  public RunPage {
    runs = List.copyOf(runs);
  }

  /** Whether there is a next page. */
  public boolean hasMore() {
    return nextCursor != null;
  }
}
