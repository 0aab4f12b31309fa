package io.helix.http;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What every request passes before the routes: its request id, CORS, and bearer-token
 * authentication.
 *
 * <ul>
 *   <li><b>Request id</b>: the client's {@code X-Request-Id} when it is well-formed (1 to 128 of
 *       {@code A-Z a-z 0-9 . _ : -}), else a new UUID. Every response carries it, and every log line
 *       of the HTTP layer has it in the SLF4J MDC as {@code requestId}.
 *   <li><b>CORS</b> ({@code helix.http.cors.allowed-origins}): a request from an allowed {@code
 *       Origin} gets {@code Access-Control-Allow-Origin} (and {@code Vary: Origin}); a preflight
 *       ({@code OPTIONS} with {@code Access-Control-Request-Method}) from an allowed origin is
 *       answered 204 with the allowed methods and headers, from any other origin 403.
 *   <li><b>Authentication</b> ({@code helix.http.auth.tokens}, off when empty): {@code
 *       Authorization: Bearer <token>}; a stream a browser opens ({@code /ws/...} and the SSE
 *       {@code /agent/stream/...}: neither WebSocket nor EventSource can set headers) may give
 *       {@code ?access_token=<token>} instead. Otherwise 401 with {@code WWW-Authenticate: Bearer}.
 *       Tokens are compared in constant time; JWTs are verified against a JWKS ({@link
 *       Authenticator}). The request then carries its {@link Principal} ({@link #principalOf}), and
 *       needs the scope of what it does ({@link #requiredScope}: read, execute, abort — which
 *       also erases a session), else 403.
 *       The one exception: the run console's static files ({@code GET}/{@code HEAD} under {@code
 *       /console}, see {@link ConsoleRoutes#isPublic}) load without a token; they hold no data, and
 *       the page then asks for a token to call the API with.
 * </ul>
 */
final class RequestGate extends AllDirectives {

  static final String REQUEST_ID = "X-Request-Id";
  static final String MDC_KEY = "requestId";

  private static final Logger log = LoggerFactory.getLogger("io.helix.http.access");
  private static final Pattern WELL_FORMED_ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");
  private static final String ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS";
  private static final String ALLOWED_HEADERS =
      "Authorization, Content-Type, Last-Event-ID, X-Request-Id";
  private static final String EXPOSED_HEADERS = "X-Request-Id, Location, WWW-Authenticate";

  /** The request's principal, for the routes ({@link #principalOf}). */
  static final AttributeKey<Principal> PRINCIPAL = AttributeKey.create("helix-principal", Principal.class);

  // JWT verification may fetch the JWKS over HTTP: never on the HTTP dispatcher's threads
  private static final Executor VERIFY =
      Executors.newCachedThreadPool(
          r -> {
            Thread thread = new Thread(r, "helix-jwt-verify");
            thread.setDaemon(true);
            return thread;
          });

  private final HttpSettings settings;
  private final Authenticator authenticator;
  private final StreamTickets tickets;
  private final boolean anyOrigin;

  RequestGate(HttpSettings settings) {
    this.settings = settings;
    this.tickets =
        new StreamTickets(
            settings.tickets().secret(), settings.tickets().ttl(), java.time.Clock.systemUTC());
    this.authenticator =
        new Authenticator(settings.authTokens(), Set.copyOf(settings.authAdmins()), settings.jwt());
    this.anyOrigin = settings.corsAllowedOrigins().contains("*");
  }

  /** The node's stream tickets, which the gate redeems. */
  StreamTickets tickets() {
    return tickets;
  }

  /** The principal the gate put on the request ({@link Principal#ANONYMOUS} without auth). */
  static Principal principalOf(HttpRequest request) {
    return request.getAttribute(PRINCIPAL).orElse(Principal.ANONYMOUS);
  }

  static String newRequestId() {
    return UUID.randomUUID().toString();
  }

  /** The request's id: the client's when well-formed, else a new one. */
  static String requestId(HttpRequest request) {
    return request
        .getHeader(REQUEST_ID)
        .map(HttpHeader::value)
        .filter(value -> WELL_FORMED_ID.matcher(value).matches())
        .orElseGet(RequestGate::newRequestId);
  }

  /** The request id that {@link #wrap} put on the request. */
  static String requestIdOf(HttpRequest request) {
    return request.getHeader(REQUEST_ID).map(HttpHeader::value).orElse("-");
  }

  /**
   * {@code routes} behind the gate, inside {@code errors} (the error handling). The request id is
   * put on the request (so that inner routes and error handlers find it) and on every response.
   */
  Route wrap(java.util.function.Function<Supplier<Route>, Route> errors, Supplier<Route> routes) {
    return extractRequest(
        original -> {
          String id = requestId(original);
          HttpRequest request =
              original.removeHeader(REQUEST_ID).addHeader(RawHeader.create(REQUEST_ID, id));
          long started = System.nanoTime();
          return mapRequest(
              ignored -> request,
              () ->
                  mapResponse(
                      response -> finish(request, id, started, response),
                      () -> {
                        Optional<HttpResponse> preflight = preflight(request);
                        if (preflight.isPresent()) {
                          return complete(preflight.get());
                        }
                        return errors.apply(() -> authenticated(request, routes));
                      }));
        });
  }

  private Route authenticated(HttpRequest request, Supplier<Route> routes) {
    // the console's files are public: the page asks for a token, then calls the API with it
    if (!authenticator.enabled() || ConsoleRoutes.isPublic(request)) {
      return routes.get();
    }
    Optional<String> token = bearerToken(request);
    Optional<String> ticket = ticket(request);
    if (token.isEmpty() && ticket.isPresent()) {
      // a stream ticket stands for its principal, on the one stream it was issued for, once
      return tickets
          .redeem(ticket.get(), streamIdOf(request))
          .map(who -> mapRequest(r -> r.addAttribute(PRINCIPAL, who), routes))
          .orElseGet(
              () ->
                  complete(
                      Problems.unauthorized(
                          "the ticket is not valid: expired, used, or for another stream", true)));
    }
    if (token.isEmpty()) {
      return complete(
          Problems.unauthorized(
              "a bearer token is required (Authorization: Bearer <token>"
                  + (takesTokenInQuery(request)
                      ? ", or ?access_token=<token>, or a stream ticket: ?ticket=<ticket>"
                      : "")
                  + ")",
              false));
    }
    boolean jwt = token.get().chars().filter(c -> c == '.').count() == 2;
    CompletionStage<Optional<Principal>> principal =
        jwt
            ? CompletableFuture.supplyAsync(() -> authenticator.authenticate(token.get()), VERIFY)
            : CompletableFuture.completedFuture(authenticator.authenticate(token.get()));
    return onSuccess(
        principal,
        who -> {
          if (who.isEmpty()) {
            return complete(Problems.unauthorized("the bearer token is not valid", true));
          }
          String scope = requiredScope(request);
          if (!who.get().may(scope)) {
            return complete(Problems.insufficientScope(scope));
          }
          return mapRequest(r -> r.addAttribute(PRINCIPAL, who.get()), routes);
        });
  }

  /** What a request needs: reading, starting or continuing runs, or stopping them. */
  static String requiredScope(HttpRequest request) {
    if (request.method().equals(HttpMethods.DELETE)) {
      return Principal.ABORT; // erasing a session stops and deletes its runs
    }
    if (!request.method().equals(HttpMethods.POST)) {
      return Principal.READ;
    }
    String path = request.getUri().path();
    if (path.startsWith("/agent/stream-ticket/")) {
      return Principal.READ; // a ticket only opens a stream
    }
    return path.startsWith("/agent/abort/") || path.startsWith("/agent/interrupt/")
        ? Principal.ABORT
        : Principal.EXECUTE;
  }

  /** A stream ticket in the query of a stream's URL ({@code ?ticket=}). */
  private static Optional<String> ticket(HttpRequest request) {
    return takesTokenInQuery(request)
        ? request.getUri().query().get(RequestParsing.TICKET).filter(value -> !value.isEmpty())
        : Optional.empty();
  }

  /** The stream id of a stream's URL ({@code /ws/{id}} or {@code /agent/stream/{id}}). */
  private static String streamIdOf(HttpRequest request) {
    String path = request.getUri().path();
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** The streams browsers open with an API that cannot set headers: WebSocket and EventSource. */
  private static boolean takesTokenInQuery(HttpRequest request) {
    String path = request.getUri().path();
    return path.startsWith("/ws/") || path.startsWith("/agent/stream/");
  }

  private static Optional<String> bearerToken(HttpRequest request) {
    Optional<String> header =
        request
            .getHeader("Authorization")
            .map(HttpHeader::value)
            .map(String::trim)
            .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
            .map(value -> value.substring(7).trim())
            .filter(value -> !value.isEmpty());
    if (header.isPresent()) {
      return header;
    }
    if (takesTokenInQuery(request)) {
      return request
          .getUri()
          .query()
          .get(RequestParsing.ACCESS_TOKEN)
          .filter(value -> !value.isEmpty());
    }
    return Optional.empty();
  }

  // ---- CORS

  private boolean originAllowed(String origin) {
    return anyOrigin || settings.corsAllowedOrigins().contains(origin);
  }

  private Optional<HttpResponse> preflight(HttpRequest request) {
    if (!request.method().equals(HttpMethods.OPTIONS)
        || request.getHeader("Access-Control-Request-Method").isEmpty()) {
      return Optional.empty();
    }
    Optional<String> origin = request.getHeader("Origin").map(HttpHeader::value);
    if (origin.isEmpty() || !originAllowed(origin.get())) {
      return Optional.of(Problems.corsOriginNotAllowed(origin.orElse("")));
    }
    return Optional.of(
        HttpResponse.create()
            .withStatus(StatusCodes.NO_CONTENT)
            .addHeader(RawHeader.create("Access-Control-Allow-Methods", ALLOWED_METHODS))
            .addHeader(RawHeader.create("Access-Control-Allow-Headers", ALLOWED_HEADERS))
            .addHeader(RawHeader.create("Access-Control-Max-Age", "600")));
  }

  private HttpResponse finish(HttpRequest request, String id, long started, HttpResponse response) {
    HttpResponse answered = response.removeHeader(REQUEST_ID).addHeader(RawHeader.create(REQUEST_ID, id));
    Optional<String> origin = request.getHeader("Origin").map(HttpHeader::value);
    if (origin.isPresent() && !settings.corsAllowedOrigins().isEmpty() && originAllowed(origin.get())) {
      answered =
          answered
              .addHeader(RawHeader.create("Access-Control-Allow-Origin", anyOrigin ? "*" : origin.get()))
              .addHeader(RawHeader.create("Access-Control-Expose-Headers", EXPOSED_HEADERS));
      if (!anyOrigin) {
        answered = answered.addHeader(RawHeader.create("Vary", "Origin"));
      }
    }
    logResponse(request, id, started, answered);
    return answered;
  }

  /**
   * One line per request (the path only: a query may hold an access token): DEBUG, WARN for a 5xx.
   * The request id is in the MDC ({@code requestId}) and in the text, for log patterns without
   * {@code %X{requestId}}.
   */
  private static void logResponse(
      HttpRequest request, String id, long started, HttpResponse response) {
    int status = response.status().intValue();
    boolean serverError = status >= 500;
    if (!(serverError ? log.isWarnEnabled() : log.isDebugEnabled())) {
      return;
    }
    MDC.put(MDC_KEY, id);
    try {
      long millis = (System.nanoTime() - started) / 1_000_000;
      String principal = request.getAttribute(PRINCIPAL).map(Principal::name).orElse("-");
      if (serverError) {
        log.warn(
            "{} {} -> {} ({} ms) [requestId={}, principal={}]",
            request.method().name(), request.getUri().path(), status, millis, id, principal);
      } else {
        log.debug(
            "{} {} -> {} ({} ms) [requestId={}, principal={}]",
            request.method().name(), request.getUri().path(), status, millis, id, principal);
      }
    } finally {
      MDC.remove(MDC_KEY);
    }
  }
}
