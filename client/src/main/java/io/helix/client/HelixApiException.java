package io.helix.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The server answered with an error: an RFC 9457 problem ({@code application/problem+json}) with
 * its {@link #status()}, {@link #type()} ({@code urn:helix:problem:<kind>}, or {@code
 * about:blank}), {@link #title()} and {@link #detail()}. A 4xx means the request itself is wrong
 * (an unknown run or agent type, a run-id conflict, a missing token, a stream deleted after its
 * retention); it is not retried. An answer that is not a problem document (say, a proxy's page)
 * keeps its status, with {@code HTTP <status>} as title and the body's beginning as detail.
 */
public class HelixApiException extends HelixException {
  private static final long serialVersionUID = 1L;

  /** The type of a problem the server did not type; also that of a non-problem error answer. */
  public static final String ABOUT_BLANK = "about:blank";

  private final int status;
  private final String type;
  private final String title;
  private final String detail;
  private final String requestId;
  private final transient JsonNode problem;

  public HelixApiException(
      int status, String type, String title, String detail, String requestId, JsonNode problem) {
    super(status + " " + title + (detail == null || detail.isEmpty() ? "" : ": " + detail));
    this.status = status;
    this.type = type == null ? ABOUT_BLANK : type;
    this.title = title;
    this.detail = detail;
    this.requestId = requestId;
    this.problem = problem;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The problem's type, e.g. {@code urn:helix:problem:run-not-found}. */
  public String type() {
    return type;
  }

  /** The problem's short summary. */
  public String title() {
    return title;
  }

  /** What went wrong with this request, or null. */
  public String detail() {
    return detail;
  }

  /** The response's {@code X-Request-Id}, as in the server's log lines, or null. */
  public String requestId() {
    return requestId;
  }

  /** The problem document as sent (with any extension members), or null if it was not one. */
  public JsonNode problem() {
    return problem;
  }

  /** The kind of problem: the type after {@code urn:helix:problem:}, e.g. {@code run-not-found}. */
  public String kind() {
    String prefix = "urn:helix:problem:";
    return type.startsWith(prefix) ? type.substring(prefix.length()) : type;
  }
}
