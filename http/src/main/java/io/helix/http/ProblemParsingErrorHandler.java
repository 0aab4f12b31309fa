package io.helix.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests too malformed to reach the routes (an illegal URI or header, a header too long,
 * too many headers, a bad request line) as a problem too: {@code about:blank} with Pekko's status
 * (400, 414, 431, ...) and a short summary, never the offending input. {@link HttpApi#bind} sets it
 * ({@code pekko.http.server.parsing.error-handler}).
 */
public final class ProblemParsingErrorHandler extends ParsingErrorHandler {

  public ProblemParsingErrorHandler() {}

  @Override
  public HttpResponse handle(
      StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    String requestId = RequestGate.newRequestId();
    log.debug("illegal request ({}): {} [requestId={}]", status, info.summary(), requestId);
    String summary = info.summary() == null ? "" : info.summary();
    // the summary names the kind of error; it may quote a little of the input: never a query
    // (which may hold an access token), and cut short
    int query = summary.indexOf('?');
    if (query >= 0) {
      summary = summary.substring(0, query) + "?...";
    }
    if (summary.length() > 200) {
      summary = summary.substring(0, 200);
    }
    return Problems.ofType(
            status, Problems.BLANK_TYPE, status.reason(), "illegal request: " + summary)
        .addHeader(RawHeader.create(RequestGate.REQUEST_ID, requestId));
  }
}
