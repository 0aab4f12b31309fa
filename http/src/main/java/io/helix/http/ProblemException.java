package io.helix.http;

import org.apache.pekko.http.javadsl.model.HttpResponse;

/** Ends a request with a problem response; thrown by validation, answered by the error handling. */
final class ProblemException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient HttpResponse response;

  ProblemException(HttpResponse response) {
    super(null, null, false, false);
    this.response = response;
  }

  HttpResponse response() {
    return response;
  }
}
