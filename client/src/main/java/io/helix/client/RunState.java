package io.helix.client;

import java.util.List;

/**
 * A run's state and a page of its conversation ({@code GET /agent/state/{runId}}). The server's
 * read model trails the run by about a second: until it has the run, the answer comes from the live
 * run with {@code projected == false} and no messages.
 *
 * @param run the run's row
 * @param projected whether the read model has the run
 * @param messages the page of messages, from {@code offset}
 * @param offset the first message of the page
 * @param total how many messages the run has
 * @param hasMore whether messages follow the page
 */
public record RunState(
    RunSummary run,
    boolean projected,
    List<Message> messages,
    int offset,
    int total,
    boolean hasMore) {

  public RunState {
    messages = List.copyOf(messages);
  }
}
