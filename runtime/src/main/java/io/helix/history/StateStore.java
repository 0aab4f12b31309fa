package io.helix.history;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Queries over the read model: the runs' rows of {@code agent_state} and their {@code messages}, as
 * the projection has written them (it trails the journal by about a second; a run just started
 * may not be there yet). The runtime defines this port, the persistence module implements it (get
 * one from {@code io.helix.persistence.readmodel.ReadModel.start}). Every answer completes on the
 * read model's JDBC dispatcher, never blocking the caller; invalid arguments fail the stage with
 * {@link IllegalArgumentException}.
 */
public interface StateStore {

  /** The run's row, or empty when the read model has none (yet). */
  CompletionStage<Optional<AgentStateRow>> load(String runId);

  /**
   * The run's messages from position {@code offset} (from 0), at most {@code limit} of them, with
   * how many there are in all. Without {@code includeThinking} the models' reasoning is left out.
   * An unknown run has no messages.
   */
  CompletionStage<MessagePage> getMessages(
      String runId, int offset, int limit, boolean includeThinking);

  /**
   * Runs matching the filter, newest first, at most {@code limit}; {@code cursor} is null for the
   * first page, then the previous page's {@link RunPage#nextCursor()}. Paging by cursor neither
   * skips nor repeats a run while runs are added.
   */
  CompletionStage<RunPage> list(RunFilter filter, String cursor, int limit);

  /** Per event tag, how far the projection trails the journal. */
  CompletionStage<List<ProjectionLag>> lag();
}
