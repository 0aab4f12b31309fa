package io.helix.agent;

import io.helix.model.Message;
import java.util.List;

/**
 * A session: a conversation with one agent, a turn (a run) at a time.
 *
 * @param sessionId the id its owner gave it
 * @param owner the principal it belongs to; null for the shared principal
 * @param turns its runs, oldest first
 * @param activeRunId the run of the active turn (running, suspended or interrupted); null when
 *     none
 * @param messages the conversation of its ended turns, as the model sees it in the next turn
 */
public record SessionView(
    String sessionId,
    String owner,
    String agentType,
    List<Turn> turns,
    String activeRunId,
    List<Message> messages,
    long createdAt,
    long updatedAt) {

  /**
   * A turn: its run, the user's message that started it, its status ({@code running} while it is
   * the active turn, whatever the run's own status), when it started and ended (0 while active).
   */
  public record Turn(String runId, String message, RunStatus status, long startedAt, long endedAt) {}
}
