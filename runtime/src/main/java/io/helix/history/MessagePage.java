package io.helix.history;

import java.util.List;

/**
 * A page of a run's messages, in order.
 *
 * @param total how many messages the run has
 * @param hasMore whether messages follow this page
 */
public record MessagePage(List<StoredMessage> messages, int total, boolean hasMore) {

  public MessagePage {
    messages = List.copyOf(messages);
  }
}
