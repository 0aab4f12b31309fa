package io.helix.http;

import io.helix.agent.AgentExecutor;
import io.helix.agent.RunResult;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Runs: {@code POST /agent/execute} starts one (202 with its links), {@code GET
 * /agent/result/{runId}} answers its {@link RunResult} (long-polling with {@code ?wait=}), and
 * {@code POST /agent/abort/{runId}} aborts it.
 */
final class RunRoutes extends AllDirectives {

  private final AgentExecutor executor;
  private final RequestParsing requests;
  private final RunDirectives runs;
  private final ErrorHandling errors;

  RunRoutes(
      AgentExecutor executor, RequestParsing requests, RunDirectives runs, ErrorHandling errors) {
    this.executor = executor;
    this.requests = requests;
    this.runs = runs;
    this.errors = errors;
  }

  /** Starts a run; a W3C {@code traceparent} header puts the run in the caller's trace. */
  Route execute() {
    return requests.executeRequest(
        request ->
            optionalHeaderValueByName(
                "traceparent",
                traceParent ->
                    onSuccess(
                        RunDirectives.invokeValidating(
                            () ->
                                executor.execute(
                                    request.agentType(),
                                    request.message(),
                                    request.runId(),
                                    traceParent.orElse(null))),
                        handle -> complete(Presenters.accepted(handle.runId())))));
  }

  /**
   * The run once it has ended or the wait has passed ({@link
   * io.helix.agent.AgentHandle#result(java.time.Duration)}: nothing goes on waiting after the
   * answer, and no stream is subscribed for it). The request may take the wait longer than others.
   */
  Route result(String runId) {
    return requests.resultWait(
        wait ->
            errors.withTimeoutExtendedBy(
                wait,
                () ->
                    runs.withRun(
                        runId, handle -> onSuccess(handle.result(wait), this::completeRun))));
  }

  Route abort(String runId) {
    return requests.abortReason(
        reason ->
            runs.withRun(
                runId,
                handle -> onSuccess(handle.abort(reason.orElse(null)), this::completeRun)));
  }

  private Route completeRun(RunResult run) {
    return complete(Presenters.ok(Presenters.run(run)));
  }
}
