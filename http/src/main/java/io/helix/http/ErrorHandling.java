package io.helix.http;

import io.helix.agent.RunConflictException;
import io.helix.agent.UnknownAgentException;
import io.helix.stream.StreamDeletedException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/**
 * Turns every rejection and every exception into a problem response: the client never sees a stack
 * trace, and an unexpected error is logged with an id that the response names.
 */
final class ErrorHandling extends AllDirectives {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ErrorHandling.class);

  private final HttpSettings settings;
  private final RejectionHandler rejectionHandler;
  private final ExceptionHandler exceptionHandler;

  ErrorHandling(HttpSettings settings) {
    this.settings = settings;
    this.rejectionHandler =
        RejectionHandler.newBuilder()
            .handleAll(MethodRejection.class, this::methodNotAllowed)
            .handleNotFound(extractRequest(this::notFound))
            .build()
            // everything else as Pekko answers it, but as a problem
            .withFallback(
                RejectionHandler.defaultHandler().mapRejectionResponse(Problems::asProblem));
    this.exceptionHandler = ExceptionHandler.newBuilder().matchAny(this::onError).build();
  }

  /** {@code inner} with errors as problems and the request timeout of {@code helix.http}. */
  Route wrap(Supplier<Route> inner) {
    return handleExceptions(
        exceptionHandler,
        () ->
            handleRejections(
                rejectionHandler,
                () ->
                    withRequestTimeoutResponse(
                        this::requestTimedOut,
                        () -> withRequestTimeout(settings.requestTimeout(), inner))));
  }

  /** {@code inner} with {@code extra} added to the request timeout: for a request that waits. */
  Route withTimeoutExtendedBy(Duration extra, Supplier<Route> inner) {
    return withRequestTimeout(settings.requestTimeout().plus(extra), this::requestTimedOut, inner);
  }

  HttpResponse requestTimedOut(HttpRequest request) {
    // answered outside the routes: the request id is added here
    return Problems.unavailable("the request was not answered in time; try again")
        .addHeader(
            org.apache.pekko.http.javadsl.model.headers.RawHeader.create(
                RequestGate.REQUEST_ID, RequestGate.requestIdOf(request)));
  }

  private Route notFound(HttpRequest request) {
    return complete(Problems.notFound(request.getUri().path()));
  }

  private Route methodNotAllowed(List<MethodRejection> rejections) {
    HttpMethod[] methods =
        rejections.stream().map(MethodRejection::supported).distinct().toArray(HttpMethod[]::new);
    String names =
        java.util.Arrays.stream(methods).map(HttpMethod::name).collect(Collectors.joining(", "));
    List<HttpHeader> allow = List.of(Allow.create(methods));
    return complete(Problems.methodNotAllowed("supported methods: " + names, allow));
  }

  private Route onError(Throwable thrown) {
    Throwable error = unwrap(thrown);
    if (error instanceof ProblemException problem) {
      return complete(problem.response());
    } else if (error instanceof UnknownAgentException) {
      return complete(Problems.unknownAgent(error.getMessage()));
    } else if (error instanceof StreamDeletedException deleted) {
      return complete(
          Problems.streamDeleted(deleted.streamId(), deleted.endedAt(), deleted.deletedAt()));
    } else if (error instanceof io.helix.agent.RunControlException refused) {
      return complete(Problems.controlRefused(refused));
    } else if (error instanceof RunConflictException) {
      return complete(Problems.runConflict(error.getMessage()));
    } else if (error instanceof UnsupportedOperationException unsupported) {
      // e.g. erasing a session on a runtime started without an Erasure
      return complete(Problems.notImplemented(unsupported.getMessage()));
    } else if (error instanceof io.helix.agent.SessionBusyException busy) {
      return complete(Problems.sessionBusy(busy));
    } else if (error instanceof io.helix.agent.SessionConflictException) {
      return complete(Problems.sessionConflict(error.getMessage()));
    } else if (error instanceof EntityStreamSizeException) {
      return complete(Problems.payloadTooLarge(settings.maxBodySize()));
    } else if (error instanceof TimeoutException) {
      // an ask to the runtime timed out: the run's node is busy, restarting or unreachable
      return complete(Problems.unavailable("the runtime did not answer in time; try again"));
    }
    return extractRequest(
        request -> {
          String errorId = RequestGate.requestIdOf(request);
          org.slf4j.MDC.put(RequestGate.MDC_KEY, errorId);
          try {
            log.error(
                "unexpected error answering {} {} (error id {}) [requestId={}]",
                request.method().name(),
                request.getUri().path(),
                errorId,
                errorId,
                error);
          } finally {
            org.slf4j.MDC.remove(RequestGate.MDC_KEY);
          }
          return complete(Problems.internalError(errorId));
        });
  }

  static Throwable unwrap(Throwable error) {
    Throwable current = error;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
