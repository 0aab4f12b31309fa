package io.helix.http;

import io.helix.agent.RunStatus;
import io.helix.history.RunFilter;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What the routes read from a request's query and headers, parsed strictly: every parameter name
 * is here, and so is the list of those each route takes, and the {@code Last-Event-ID} header. A
 * route gets typed values; an unknown parameter, a value out of range or of the wrong type is a 400
 * {@code invalid-request}. The JSON bodies are {@link RequestBodies}'.
 */
final class RequestParsing extends AllDirectives {

  // ---- the query parameters, by the routes that take them (in the order a 400 lists them)

  /** The offset to start a stream at (inclusive). */
  private static final String FROM = "from";

  /**
   * A stream's bearer token, read by the {@link RequestGate}: a browser opens SSE and WebSocket
   * streams with an API that cannot set headers.
   */
  static final String ACCESS_TOKEN = "access_token";
  static final String TICKET = "ticket";

  private static final List<String> STREAM_PARAMS = List.of(FROM, ACCESS_TOKEN, TICKET);

  private static final String BATCH = "batch";
  private static final List<String> WS_PARAMS = List.of(FROM, BATCH, ACCESS_TOKEN, TICKET);

  private static final String WAIT = "wait";
  private static final List<String> RESULT_PARAMS = List.of(WAIT);

  private static final String OFFSET = "offset";
  private static final String LIMIT = "limit";
  private static final String INCLUDE_THINKING = "includeThinking";
  private static final List<String> STATE_PARAMS = List.of(OFFSET, LIMIT, INCLUDE_THINKING);

  private static final String STATUS = "status";
  private static final String AGENT_TYPE = "agentType";
  private static final String CREATED_FROM = "createdFrom";
  private static final String CREATED_BEFORE = "createdBefore";
  private static final String ROOTS_ONLY = "rootsOnly";
  private static final String CURSOR = "cursor";
  private static final String OWNER = "owner";
  private static final List<String> RUNS_PARAMS =
      List.of(STATUS, AGENT_TYPE, CREATED_FROM, CREATED_BEFORE, ROOTS_ONLY, LIMIT, CURSOR, OWNER);

  private static final List<String> NO_PARAMS = List.of();

  private static final String LAST_EVENT_ID = "Last-Event-ID";

  /** The most messages or runs one page may hold. */
  private static final int MAX_PAGE = 1000;

  private static final int DEFAULT_MESSAGES_PAGE = 100;
  private static final int DEFAULT_RUNS_PAGE = 50;


  /** {@code GET /ws/{streamId}}: the offset to start at ({@code ?from=}), whether to batch. */
  record WebSocketQuery(long from, boolean batch) {}

  /** {@code GET /agent/state/{runId}}: which of the run's messages. */
  record MessagesQuery(int offset, int limit, boolean includeThinking) {}

  /** {@code GET /agent/runs}: which runs; {@code cursor} null for the first page. */
  /** {@code owner}: an admin's filter by owner (empty: the shared principal's), else null. */
  record RunsQuery(RunFilter filter, String cursor, int limit, String owner) {}

  private final HttpSettings settings;

  RequestParsing(HttpSettings settings) {
    this.settings = settings;
  }

  /** A route that takes no query parameters: 400 for any. */
  Route noParams(Supplier<Route> inner) {
    return query(NO_PARAMS, query -> inner.get());
  }

  /**
   * The offset an SSE subscription starts at: after {@code Last-Event-ID} (a reconnecting
   * EventSource sends it with its original URL), else {@code ?from=} (inclusive), else 0.
   */
  Route streamOffset(Function<Long, Route> inner) {
    return query(
        STREAM_PARAMS,
        query ->
            optionalHeaderValueByName(
                LAST_EVENT_ID,
                lastEventId -> {
                  long offset =
                      lastEventId.isPresent()
                          ? nonNegativeLong(lastEventId.get().trim(), LAST_EVENT_ID) + 1
                          : fromOffset(query);
                  return inner.apply(offset);
                }));
  }

  /** Where a WebSocket subscription starts ({@code ?from=}, default 0) and whether it batches. */
  Route webSocketQuery(Function<WebSocketQuery, Route> inner) {
    return query(
        WS_PARAMS,
        query -> {
          long offset = fromOffset(query);
          boolean batch = booleanParam(query.get(BATCH), BATCH, false);
          return inner.apply(new WebSocketQuery(offset, batch));
        });
  }

  /** How long to wait for the run's end: {@code ?wait=} seconds, cut to {@code result-wait-max}. */
  Route resultWait(Function<Duration, Route> inner) {
    return query(
        RESULT_PARAMS,
        query -> inner.apply(query.get(WAIT).map(this::waitDuration).orElse(Duration.ZERO)));
  }

  /** Which page of a run's messages; {@code includeThinking} false unless asked for. */
  Route messagesQuery(Function<MessagesQuery, Route> inner) {
    return query(
        STATE_PARAMS,
        query -> {
          int offset = intParam(query.get(OFFSET), OFFSET, 0, 0, Integer.MAX_VALUE - 1);
          int limit = intParam(query.get(LIMIT), LIMIT, DEFAULT_MESSAGES_PAGE, 0, MAX_PAGE);
          boolean thinking = booleanParam(query.get(INCLUDE_THINKING), INCLUDE_THINKING, false);
          return inner.apply(new MessagesQuery(offset, limit, thinking));
        });
  }

  /** A repeated parameter counts with its last value here (elsewhere with its first), as ever. */
  Route runsQuery(Function<RunsQuery, Route> inner) {
    return query(RUNS_PARAMS, query -> inner.apply(runsQuery(query.toMap())));
  }

  /**
   * The request's query, for a route taking the parameters {@code known}: 400 for any other, a
   * misspelt parameter is an error, not ignored. {@link Query#get} is a parameter's first value.
   */
  private Route query(List<String> known, Function<Query, Route> inner) {
    return extractUri(
        uri -> {
          Query query = uri.query();
          for (String name : query.toMap().keySet()) {
            if (!known.contains(name)) {
              throw invalid(
                  "unknown query parameter '"
                      + abbreviate(name)
                      + "'"
                      + (known.isEmpty() ? "; this endpoint takes none" : "; known: " + known));
            }
          }
          return inner.apply(query);
        });
  }

  private static RunsQuery runsQuery(Map<String, String> params) {
    RunFilter filter = RunFilter.all();
    String status = params.get(STATUS);
    if (status != null && !status.isEmpty()) {
      try {
        filter = filter.withStatus(RunStatus.valueOf(status));
      } catch (IllegalArgumentException e) {
        throw invalid(
            "'status' must be one of "
                + java.util.Arrays.toString(RunStatus.values())
                + "; was '"
                + abbreviate(status)
                + "'");
      }
    }
    String agentType = params.get(AGENT_TYPE);
    if (agentType != null && !agentType.isEmpty()) {
      filter = filter.withAgentType(agentType);
    }
    Instant from = instantParam(params.get(CREATED_FROM), CREATED_FROM);
    Instant before = instantParam(params.get(CREATED_BEFORE), CREATED_BEFORE);
    filter = filter.createdBetween(from, before);
    filter = filter.withRootsOnly(booleanParam(param(params, ROOTS_ONLY), ROOTS_ONLY, false));
    int limit = intParam(param(params, LIMIT), LIMIT, DEFAULT_RUNS_PAGE, 1, MAX_PAGE);
    String cursor = params.get(CURSOR);
    if (cursor != null && cursor.length() > 512) {
      throw invalid("'cursor' is not valid");
    }
    String owner = params.get(OWNER);
    if (owner != null && owner.length() > 255) {
      throw invalid("'owner' is not valid");
    }
    return new RunsQuery(filter, cursor == null || cursor.isEmpty() ? null : cursor, limit, owner);
  }

  // ---- the body of each route

  private static Optional<String> param(Map<String, String> params, String name) {
    return Optional.ofNullable(params.get(name));
  }

  private static long fromOffset(Query query) {
    return query.get(FROM).map(value -> nonNegativeLong(value, FROM)).orElse(0L);
  }

  private static long nonNegativeLong(String value, String name) {
    try {
      long parsed = Long.parseLong(value);
      if (parsed >= 0 && parsed < Long.MAX_VALUE) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw invalid("'" + name + "' must be a non-negative integer, was '" + value + "'");
  }

  private static int intParam(Optional<String> value, String name, int fallback, int min, int max) {
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.get());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw invalid("'" + name + "' must be an integer in " + min + ".." + max);
  }

  private static boolean booleanParam(Optional<String> value, String name, boolean fallback) {
    if (value.isEmpty()) {
      return fallback;
    }
    return switch (value.get()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid("'" + name + "' must be true or false");
    };
  }

  private static Instant instantParam(String value, String name) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      try {
        return Instant.ofEpochMilli(Long.parseLong(value));
      } catch (NumberFormatException | DateTimeException ignored) {
        throw invalid(
            "'" + name + "' must be an ISO-8601 instant (2026-01-31T12:00:00Z) or epoch"
                + " milliseconds");
      }
    }
  }

  private Duration waitDuration(String value) {
    BigDecimal seconds;
    try {
      seconds = new BigDecimal(value.trim());
    } catch (NumberFormatException e) {
      throw invalid("'wait' must be a number of seconds, was '" + value + "'");
    }
    if (seconds.signum() < 0) {
      throw invalid("'wait' must not be negative");
    }
    // compared in seconds first: moving the point of 1e2147483647 would overflow its scale
    BigDecimal maxSeconds = BigDecimal.valueOf(settings.resultWaitMax().toMillis()).movePointLeft(3);
    if (seconds.compareTo(maxSeconds) >= 0) {
      return settings.resultWaitMax();
    }
    return Duration.ofMillis(seconds.movePointRight(3).longValue());
  }

  static ProblemException invalid(String detail) {
    return new ProblemException(Problems.invalidRequest(detail));
  }

  static String abbreviate(String value) {
    return value.length() <= 64 ? value : value.substring(0, 64) + "...";
  }
}
