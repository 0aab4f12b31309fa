package io.helix.http;

import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentHandle;
import io.helix.stream.StreamStatus;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The directives by which the resources reach the runtime: a run or a stream by its id (404 when
 * unknown, 410 for a stream deleted after its retention), and calls into the runtime, whose
 * synchronous throw is answered like a failed stage.
 */
final class RunDirectives extends AllDirectives {

  private final AgentExecutor executor;

  RunDirectives(AgentExecutor executor) {
    this.executor = executor;
  }

  /**
   * The run's handle, or 404 when there is no such run or it is not the request principal's to see
   * ({@link Ownership}).
   */
  Route withRun(String runId, Function<AgentHandle, Route> inner) {
    return visible(
        runId, found -> found.map(inner).orElseGet(() -> complete(Problems.runNotFound(runId))));
  }

  /** The request's principal ({@link RequestGate#principalOf}). */
  Route withPrincipal(Function<Principal, Route> inner) {
    return extractRequest(request -> inner.apply(RequestGate.principalOf(request)));
  }

  /** The run's handle, when it exists and the request's principal may see it. */
  private Route visible(
      String runId, Function<java.util.Optional<AgentHandle>, Route> inner) {
    return withPrincipal(
        principal -> {
          return onSuccess(
              invoke(() -> executor.getHandle(runId)),
              found ->
                  inner.apply(
                      found.filter(handle -> Ownership.mayAccess(principal, handle.owner()))));
        });
  }

  /** The run as it is now, or empty when there is none or it cannot be asked. */
  CompletionStage<Optional<io.helix.agent.RunResult>> liveRun(String runId) {
    return invoke(() -> executor.getHandle(runId))
        .thenCompose(
            found ->
                found.isEmpty()
                    ? CompletableFuture.completedFuture(Optional.<io.helix.agent.RunResult>empty())
                    : found.get().status().thenApply(Optional::of))
        .exceptionally(failure -> Optional.empty());
  }

  /**
   * The stream of this id with its status (empty when the handle cannot tell), or 404 (also when
   * its run is not the principal's to see); 410 when it was deleted. A stream's id is its root
   * run's id.
   */
  Route withStream(
      String streamId, BiFunction<AgentHandle, Optional<StreamStatus>, Route> inner) {
    return visible(
        streamId,
        found -> {
          if (found.isEmpty()) {
            return complete(Problems.streamNotFound("no stream has id '" + streamId + "'"));
          }
          AgentHandle handle = found.get();
          if (!handle.streamId().equals(streamId)) {
            return complete(
                Problems.streamNotFound(
                    "'"
                        + streamId
                        + "' is a sub-agent's run; its chunks are in stream '"
                        + handle.streamId()
                        + "'"));
          }
          return withStreamNotDeleted(handle, status -> inner.apply(handle, status));
        });
  }

  /**
   * {@code inner} with the stream's status (empty when the handle cannot tell), unless the
   * handle's stream was deleted after its retention (410).
   */
  Route withStreamNotDeleted(AgentHandle handle, Function<Optional<StreamStatus>, Route> inner) {
    CompletionStage<Optional<StreamStatus>> status =
        invoke(handle::streamStatus)
            .thenApply(Optional::of)
            .exceptionallyCompose(
                error ->
                    ErrorHandling.unwrap(error) instanceof UnsupportedOperationException
                        ? CompletableFuture.completedFuture(Optional.<StreamStatus>empty())
                        : CompletableFuture.failedFuture(error));
    return onSuccess(
        status,
        known ->
            known
                .filter(StreamStatus::deleted)
                .map(
                    deleted ->
                        complete(
                            Problems.streamDeleted(
                                deleted.streamId(), deleted.endedAt(), deleted.deletedAt())))
                .orElseGet(() -> inner.apply(known)));
  }

  /** Calls the runtime; a synchronous throw becomes a failed stage, answered like one. */
  static <T> CompletionStage<T> invoke(Supplier<CompletionStage<T>> call) {
    try {
      CompletionStage<T> stage = call.get();
      return stage == null
          ? CompletableFuture.failedFuture(new IllegalStateException("the runtime answered null"))
          : stage;
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * {@link #invoke}s a call whose {@link IllegalArgumentException} names an invalid argument of the
   * request (a run id, a cursor): 400 {@code invalid-request} with its message.
   */
  static <T> CompletionStage<T> invokeValidating(Supplier<CompletionStage<T>> call) {
    return invoke(call)
        .exceptionallyCompose(
            error ->
                CompletableFuture.failedFuture(
                    ErrorHandling.unwrap(error) instanceof IllegalArgumentException invalid
                        ? new ProblemException(Problems.invalidRequest(invalid.getMessage()))
                        : error));
  }
}
