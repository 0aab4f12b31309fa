package io.helix.http;

import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentHandle;
import io.helix.agent.RunRequest;
import io.helix.agent.RunResult;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Runs: {@code POST /agent/execute} starts one (202 with its links), {@code GET
 * /agent/result/{runId}} answers its {@link RunResult} (long-polling with {@code ?wait=}), {@code
 * POST /agent/abort/{runId}} aborts it; a person in the loop approves ({@code /agent/approve}),
 * gives a client tool's result ({@code /agent/tool-result}), interrupts and resumes it.
 */
final class RunRoutes extends AllDirectives {

  private final AgentExecutor executor;
  private final RequestParsing requests;
  private final RequestBodies bodies;
  private final QuotaGate quotas;
  private final RunDirectives runs;
  private final ErrorHandling errors;

  RunRoutes(
      AgentExecutor executor,
      RequestParsing requests,
      RequestBodies bodies,
      RunDirectives runs,
      ErrorHandling errors,
      QuotaGate quotas) {
    this.quotas = quotas;
    this.bodies = bodies;
    this.executor = executor;
    this.requests = requests;
    this.runs = runs;
    this.errors = errors;
  }

  /** Starts a run; a W3C {@code traceparent} header puts the run in the caller's trace. */
  Route execute() {
    return quotas.withRunQuota(this::startRun);
  }

  private Route startRun(QuotaGate.RunSlot slot) {
    return bodies.executeRequest(
        request ->
            quotas.withTokenBudget(
                request.maxTokens(),
                maxTokens ->
                    runs.withPrincipal(
                        principal ->
                            optionalHeaderValueByName(
                                "traceparent",
                                traceParent -> {
                                  RunRequest run =
                                      RunRequest.of(request.agentType(), request.message())
                                          .withRunId(request.runId())
                                          .withSessionId(request.sessionId())
                                          .withOwner(Ownership.ownerOf(principal))
                                          .withMaxTokens(maxTokens)
                                          .withTraceParent(traceParent.orElse(null));
                                  return onSuccess(
                                      RunDirectives.invokeValidating(
                                          () -> slot.start(() -> executor.execute(run))),
                                      handle ->
                                          complete(
                                              Presenters.accepted(
                                                  handle.runId(), request.sessionId())));
                                }))));
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
    return bodies.abortReason(
        reason ->
            runs.withRun(
                runId,
                handle -> onSuccess(handle.abort(reason.orElse(null)), this::completeRun)));
  }

  /** Decides a pending approval: 404 unknown, 409 decided otherwise or not suspended. */
  Route approve(String runId) {
    return bodies.approveRequest(
        request ->
            control(
                runId,
                handle -> handle.approve(request.approvalId(), request.approved(), request.reason())));
  }

  /** A client-executed tool's result: 400 invalid (the run still waits), 404 unknown call. */
  Route toolResult(String runId) {
    return bodies.toolResultRequest(
        request ->
            control(
                runId,
                handle ->
                    handle.submitToolResult(request.toolCallId(), request.result(), request.error())));
  }

  /** A soft stop: 409 for an ended run. */
  Route interrupt(String runId) {
    return bodies.abortReason(
        reason -> control(runId, handle -> handle.interrupt(reason.orElse(null))));
  }

  /** Goes on with an interrupted run: 409 unless it is interrupted. */
  Route resume(String runId) {
    return bodies.resumeMessage(
        message -> control(runId, handle -> handle.resume(message.orElse(null))));
  }

  /** A person's control of a run, answered with the run after it (its refusals as problems). */
  private Route control(String runId, Function<AgentHandle, CompletionStage<RunResult>> call) {
    return runs.withRun(
        runId,
        handle -> onSuccess(RunDirectives.invoke(() -> call.apply(handle)), this::completeRun));
  }

  private Route completeRun(RunResult run) {
    return complete(Presenters.ok(Presenters.run(run)));
  }
}
