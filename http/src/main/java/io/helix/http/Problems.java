package io.helix.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.json.Json;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * RFC 9457 problem details: every error of the API is an {@code application/problem+json} body
 * {@code {type, title, status, detail}}. The {@code type} is {@code urn:helix:problem:<kind>}, one
 * kind per kind of error (see {@link HttpApi}), or {@code about:blank} for the generic HTTP errors
 * Pekko itself reports.
 */
final class Problems {

  static final ContentType PROBLEM_JSON =
      ContentTypes.create(
          MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8));

  static final String TYPE_PREFIX = "urn:helix:problem:";
  static final String BLANK_TYPE = "about:blank";

  private Problems() {}

  static HttpResponse of(StatusCode status, String kind, String title, String detail) {
    return of(status, kind, title, detail, List.of());
  }

  static HttpResponse of(
      StatusCode status, String kind, String title, String detail, Iterable<HttpHeader> headers) {
    return blank(status, TYPE_PREFIX + kind, title, detail, headers);
  }

  static HttpResponse ofType(StatusCode status, String type, String title, String detail) {
    return blank(status, type, title, detail, List.of());
  }

  private static HttpResponse blank(
      StatusCode status, String type, String title, String detail, Iterable<HttpHeader> headers) {
    ObjectNode body = Json.object();
    body.put("type", type);
    body.put("title", title);
    body.put("status", status.intValue());
    if (detail != null && !detail.isEmpty()) {
      body.put("detail", detail);
    }
    return HttpResponse.create()
        .withStatus(status)
        .addHeaders(headers)
        .withEntity(
            PROBLEM_JSON, Json.write(body).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  // ---- the problems of this API

  static HttpResponse invalidRequest(String detail) {
    return of(StatusCodes.BAD_REQUEST, "invalid-request", "Invalid request", detail);
  }

  static HttpResponse malformedJson(String detail) {
    return of(StatusCodes.BAD_REQUEST, "malformed-json", "Malformed JSON", detail);
  }

  static HttpResponse unknownAgent(String detail) {
    return of(StatusCodes.NOT_FOUND, "unknown-agent", "Unknown agent type", detail);
  }

  static HttpResponse runNotFound(String runId) {
    return of(
        StatusCodes.NOT_FOUND, "run-not-found", "Run not found", "no run has id '" + runId + "'");
  }

  static HttpResponse streamNotFound(String detail) {
    return of(StatusCodes.NOT_FOUND, "stream-not-found", "Stream not found", detail);
  }

  /** 410: the stream existed, ended, and was deleted after its retention period. */
  static HttpResponse streamDeleted(String streamId, long endedAt, long deletedAt) {
    StringBuilder detail = new StringBuilder("stream '").append(streamId).append("'");
    if (endedAt > 0) {
      detail.append(" ended at ").append(java.time.Instant.ofEpochMilli(endedAt));
    } else {
      detail.append(" ended");
    }
    detail.append(" and was deleted");
    if (deletedAt > 0) {
      detail.append(" at ").append(java.time.Instant.ofEpochMilli(deletedAt));
    }
    detail.append(" after its retention period");
    return of(StatusCodes.GONE, "stream-deleted", "Stream deleted", detail.toString());
  }

  static HttpResponse runConflict(String detail) {
    return of(StatusCodes.CONFLICT, "run-conflict", "Run id already taken", detail);
  }

  /** A turn asked of a session whose active turn has not ended: 409 with that turn's run. */
  static HttpResponse sessionBusy(io.helix.agent.SessionBusyException busy) {
    return of(
        StatusCodes.CONFLICT,
        "session-busy",
        "Session busy",
        busy.getMessage() + "; one turn at a time: wait for it to end, or abort it");
  }

  static HttpResponse sessionConflict(String detail) {
    return of(StatusCodes.CONFLICT, "session-conflict", "Session of another agent", detail);
  }

  static HttpResponse sessionNotFound(String sessionId) {
    return of(
        StatusCodes.NOT_FOUND,
        "session-not-found",
        "Session not found",
        "no session has id '" + sessionId + "'");
  }

  /** A control of a run that the run refused, changing nothing: 404, 409 or 400. */
  static HttpResponse controlRefused(io.helix.agent.RunControlException refused) {
    return switch (refused.reason()) {
      case NOT_FOUND ->
          of(StatusCodes.NOT_FOUND, "pending-not-found", "Nothing such pending", refused.getMessage());
      case CONFLICT ->
          of(StatusCodes.CONFLICT, "run-status-conflict", "Not in this status", refused.getMessage());
      case INVALID -> invalidRequest(refused.getMessage());
    };
  }

  static HttpResponse unauthorized(String detail, boolean tokenGiven) {
    String challenge =
        tokenGiven
            ? "Bearer realm=\"helix\", error=\"invalid_token\""
            : "Bearer realm=\"helix\"";
    return of(
        StatusCodes.UNAUTHORIZED,
        "unauthorized",
        "Unauthorized",
        detail,
        List.of(org.apache.pekko.http.javadsl.model.headers.RawHeader.create(
            "WWW-Authenticate", challenge)));
  }

  static HttpResponse quotaExceeded(String detail, java.time.Duration retryAfter) {
    return of(
        StatusCodes.TOO_MANY_REQUESTS,
        "quota-exceeded",
        "Quota exceeded",
        detail,
        List.of(org.apache.pekko.http.javadsl.model.headers.RawHeader.create(
            "Retry-After", String.valueOf(Math.max(1, (retryAfter.toMillis() + 999) / 1000)))));
  }

  static HttpResponse insufficientScope(String scope) {
    return of(
        StatusCodes.FORBIDDEN,
        "insufficient-scope",
        "Insufficient scope",
        "this request needs the scope '" + scope + "', which the token does not grant",
        List.of(org.apache.pekko.http.javadsl.model.headers.RawHeader.create(
            "WWW-Authenticate",
            "Bearer realm=\"helix\", error=\"insufficient_scope\", scope=\"" + scope + "\"")));
  }

  static HttpResponse corsOriginNotAllowed(String origin) {
    return of(
        StatusCodes.FORBIDDEN,
        "cors-origin-not-allowed",
        "Origin not allowed",
        "cross-origin requests from this origin are not allowed");
  }

  static HttpResponse historyUnavailable() {
    return unavailable("run history is not configured on this server");
  }

  static HttpResponse notFound(String path) {
    return of(StatusCodes.NOT_FOUND, "not-found", "Not found", "no resource at " + path);
  }

  static HttpResponse methodNotAllowed(String detail, Iterable<HttpHeader> allow) {
    return of(
        StatusCodes.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed", detail, allow);
  }

  static HttpResponse unsupportedMediaType(ContentType actual) {
    return of(
        StatusCodes.UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        "Unsupported media type",
        "the body must be application/json, was " + actual.mediaType());
  }

  static HttpResponse payloadTooLarge(long limit) {
    return of(
        StatusCodes.CONTENT_TOO_LARGE,
        "payload-too-large",
        "Payload too large",
        "the request body exceeds " + limit + " bytes");
  }

  static HttpResponse bodyReadTimeout() {
    return of(
        StatusCodes.REQUEST_TIMEOUT,
        "body-read-timeout",
        "Request body too slow",
        "the request body did not arrive in time");
  }

  static HttpResponse notImplemented(String detail) {
    return of(StatusCodes.NOT_IMPLEMENTED, "not-implemented", "Not implemented here", detail);
  }

  static HttpResponse unavailable(String detail) {
    return of(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", "Service unavailable", detail);
  }

  static HttpResponse internalError(String errorId) {
    return of(
        StatusCodes.INTERNAL_SERVER_ERROR,
        "internal-error",
        "Internal server error",
        "an unexpected error occurred; it was logged with id " + errorId);
  }

  /**
   * A response of Pekko's own rejection handling as a problem: its status, its reason phrase as
   * title, its text as detail. A problem already is left as it is.
   */
  static HttpResponse asProblem(HttpResponse response) {
    if (response.entity().getContentType().equals(PROBLEM_JSON)) {
      return response;
    }
    String detail = "";
    if (response.entity() instanceof HttpEntity.Strict strict) {
      detail = strict.getData().utf8String();
    }
    return blank(
        response.status(), BLANK_TYPE, response.status().reason(), detail, response.getHeaders());
  }
}
