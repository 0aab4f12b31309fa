package io.helix.history;

/**
 * How far the projection of one event tag trails the journal. Offsets are the journal's {@code
 * ordering}.
 *
 * @param projectedOffset the offset of the last event projected (0 before the first)
 * @param latestOffset the offset of the tag's latest event in the journal (at least the projected)
 * @param eventsBehind how many of the tag's events the projection has still to project
 */
public record ProjectionLag(String tag, long projectedOffset, long latestOffset, long eventsBehind) {

  public boolean caughtUp() {
    return eventsBehind == 0;
  }
}
