package io.helix.http;

import io.helix.agent.RunResult;
import io.helix.history.AgentStateRow;
import io.helix.history.RunFilter;
import io.helix.history.StateStore;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The run history, from the read model ({@link StateStore}; null: none): {@code GET
 * /agent/state/{runId}}, a run's state with a page of its messages, and {@code GET /agent/runs}, a
 * page of runs.
 */
final class HistoryRoutes extends AllDirectives {

  private final StateStore history;
  private final RequestParsing requests;
  private final RunDirectives runs;

  HistoryRoutes(StateStore history, RequestParsing requests, RunDirectives runs) {
    this.history = history;
    this.requests = requests;
    this.runs = runs;
  }

  /**
   * The run's row of the read model with a page of its messages; while the read model has no row
   * yet (it trails the journal), the live run's status with {@code "projected": false} and no
   * messages. 404 only when neither knows the run.
   */
  Route state(String runId) {
    return requests.messagesQuery(
        query -> {
          CompletionStage<Optional<AgentStateRow>> row =
              history == null
                  ? CompletableFuture.completedFuture(Optional.empty())
                  : RunDirectives.invoke(() -> history.load(runId));
          return runs.withPrincipal(
              principal ->
                  onSuccess(
                      row,
                      found -> {
                        if (found.isEmpty()) {
                          return liveState(runId); // its ownership is checked there
                        }
                        return Ownership.mayAccess(principal, found.get().owner())
                            ? projectedState(found.get(), query)
                            : complete(Problems.runNotFound(runId));
                      }));
        });
  }

  /**
   * The row with a page of its messages; for a run in flight, its status and what it waits for
   * come from the live run (they include what its sub-agents wait for, which its row does not).
   */
  private Route projectedState(AgentStateRow row, RequestParsing.MessagesQuery query) {
    CompletionStage<Optional<RunResult>> live =
        row.status().isTerminal()
            ? CompletableFuture.completedFuture(Optional.empty())
            : runs.liveRun(row.runId());
    return onSuccess(
        RunDirectives.invokeValidating(
            () ->
                history.getMessages(
                    row.runId(), query.offset(), query.limit(), query.includeThinking())),
        page ->
            onSuccess(
                live,
                run ->
                    complete(
                        Presenters.ok(
                            Presenters.projectedState(row, run, page, query.offset())))));
  }

  private Route liveState(String runId) {
    return runs.withRun(
        runId,
        handle ->
            onSuccess(
                handle.status(), run -> complete(Presenters.ok(Presenters.liveState(run)))));
  }

  /**
   * Newest first, a page at a time; 503 without run history. A principal lists its own runs; an
   * admin all of them, or one owner's with {@code ?owner=} ({@code ?owner=} empty: the shared
   * principal's).
   */
  Route listRuns() {
    return requests.runsQuery(
        query ->
            runs.withPrincipal(
                principal -> {
                  if (history == null) {
                    return complete(Problems.historyUnavailable());
                  }
                  RunFilter filter = query.filter();
                  if (!Ownership.isAdmin(principal)) {
                    filter = filter.withOwner(Ownership.ownerOf(principal));
                  } else if (query.owner() != null) {
                    filter = filter.withOwner(query.owner().isEmpty() ? null : query.owner());
                  }
                  RunFilter chosen = filter;
                  return onSuccess(
                      RunDirectives.invokeValidating(
                          () -> history.list(chosen, query.cursor(), query.limit())),
                      page -> complete(Presenters.ok(Presenters.runs(page))));
                }));
  }
}
