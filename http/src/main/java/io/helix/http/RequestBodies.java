package io.helix.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.helix.json.Json;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/**
 * The JSON bodies the routes take, parsed strictly: a route gets typed values; an unknown field, a
 * value of the wrong type or out of range is a 400 {@code invalid-request}, a body that is not JSON
 * a 400 {@code malformed-json}, and one of another content type, too large or too late a 415, 413
 * or 408. Body routes take no query parameters ({@link RequestParsing#noParams}).
 */
final class RequestBodies extends AllDirectives {

  /** Parses one JSON document; text after it is an error, not ignored. */
  static final ObjectReader JSON_READER =
      Json.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** {@code POST /agent/approve/{runId}}: {@code reason} null for none. */
  record ApproveRequest(String approvalId, boolean approved, String reason) {}


  /** {@code POST /agent/tool-result/{runId}}: a result ({@code error} null) or an error. */
  record ToolResultRequest(String toolCallId, JsonNode result, String error) {}


  /** {@code POST /agent/execute}: {@code runId} null for a new run. */
  /** {@code maxTokens} 0 when not given. */
  record ExecuteRequest(
      String agentType, String message, String runId, String sessionId, long maxTokens) {}

  private final HttpSettings settings;
  private final RequestParsing queries;

  RequestBodies(HttpSettings settings, RequestParsing queries) {
    this.settings = settings;
    this.queries = queries;
  }

  private Route noParams(java.util.function.Supplier<Route> inner) {
    return queries.noParams(inner);
  }

  private static ProblemException invalid(String detail) {
    return RequestParsing.invalid(detail);
  }

  /**
   * The body {@code {agentType, message, runId?, sessionId?, maxTokens?}}, required; {@code
   * agentType} not blank, {@code maxTokens} a positive integer.
   */
  Route executeRequest(Function<ExecuteRequest, Route> inner) {
    return noParams(
        () ->
            jsonBody(
                true,
                body -> {
                  JsonNode request =
                      fields(
                          body.orElseThrow(),
                          "agentType",
                          "message",
                          "runId",
                          "sessionId",
                          "maxTokens");
                  String agentType = requiredString(request, "agentType");
                  String message = requiredString(request, "message");
                  String runId = optionalString(request, "runId");
                  String sessionId = optionalString(request, "sessionId");
                  long maxTokens = 0;
                  if (request.hasNonNull("maxTokens")) {
                    JsonNode value = request.get("maxTokens");
                    if (!value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < 1) {
                      throw invalid("'maxTokens' must be a positive integer");
                    }
                    maxTokens = value.asLong();
                  }
                  if (agentType.isBlank()) {
                    throw invalid("'agentType' must not be blank");
                  }
                  return inner.apply(
                      new ExecuteRequest(agentType, message, runId, sessionId, maxTokens));
                }));
  }

  /**
   * A chat request as the AI SDK's {@code DefaultChatTransport} sends it: {@code {id, messages,
   * trigger?, messageId?, ...}} plus the transport's own {@code body} fields, of which {@code
   * agentType} is needed. Fields this server does not use are allowed (the SDK adds its own). When
   * the last message is the user's, it is a new turn (its text parts); when it is the assistant's,
   * it continues that turn with what the client added to it: tool approvals it answered ({@code
   * approval-responded}) and client tools' results ({@code output-available}, {@code
   * output-error}).
   */
  Route chatRequest(Function<ChatRequest, Route> inner) {
    return queries.noParams(
        () ->
            jsonBody(
                true,
                body -> {
                  JsonNode request = body.orElseThrow();
                  String chatId = requiredString(request, "id");
                  String agentType = requiredString(request, "agentType");
                  JsonNode messages = request.get("messages");
                  if (messages == null || !messages.isArray() || messages.isEmpty()) {
                    throw invalid("'messages' must be a non-empty array of UI messages");
                  }
                  int turn = 0;
                  for (JsonNode message : messages) {
                    turn += "user".equals(message.path("role").asText()) ? 1 : 0;
                  }
                  JsonNode last = messages.get(messages.size() - 1);
                  String role = last.path("role").asText();
                  if ("assistant".equals(role) && turn > 0) {
                    return inner.apply(continuation(chatId, agentType, turn, last));
                  }
                  if (!"user".equals(role)) {
                    throw invalid("the last message must be the user's (or the assistant's, answered)");
                  }
                  StringBuilder text = new StringBuilder();
                  for (JsonNode part : last.path("parts")) {
                    if ("text".equals(part.path("type").asText())) {
                      text.append(part.path("text").asText());
                    }
                  }
                  if (text.toString().isBlank()) {
                    throw invalid("the last message has no text part");
                  }
                  return inner.apply(
                      new ChatRequest(chatId, agentType, text.toString(), turn, List.of(), List.of()));
                }));
  }

  private static ChatRequest continuation(String chatId, String agentType, int turn, JsonNode last) {
    List<ChatApproval> approvals = new java.util.ArrayList<>();
    List<ChatToolOutput> outputs = new java.util.ArrayList<>();
    for (JsonNode part : last.path("parts")) {
      String type = part.path("type").asText();
      if (!type.startsWith("tool-") && !type.equals("dynamic-tool")) {
        continue;
      }
      String state = part.path("state").asText();
      String toolCallId = part.path("toolCallId").asText();
      if (state.equals("approval-responded") && part.path("approval").isObject()) {
        JsonNode approval = part.get("approval");
        approvals.add(
            new ChatApproval(
                approval.path("id").asText(),
                approval.path("approved").asBoolean(false),
                approval.hasNonNull("reason") ? approval.get("reason").asText() : null));
      } else if (state.equals("output-available")) {
        outputs.add(new ChatToolOutput(toolCallId, part.get("output"), null));
      } else if (state.equals("output-error")) {
        outputs.add(new ChatToolOutput(toolCallId, null, part.path("errorText").asText("error")));
      }
    }
    if (approvals.isEmpty() && outputs.isEmpty()) {
      throw invalid("the assistant's message answers no tool approval or client tool");
    }
    return new ChatRequest(chatId, agentType, null, turn, approvals, outputs);
  }

  /**
   * A chat request: the chat, the agent, which user turn (from 1), and either the user's text (a
   * new turn: {@code text} not null) or what the client answered in the turn's message.
   */
  record ChatRequest(
      String chatId,
      String agentType,
      String text,
      int turn,
      List<ChatApproval> approvals,
      List<ChatToolOutput> toolOutputs) {}

  /** A tool approval the user answered. */
  record ChatApproval(String approvalId, boolean approved, String reason) {}

  /** A client tool's result ({@code error} null) or error, as the message carries it. */
  record ChatToolOutput(String toolCallId, JsonNode result, String error) {}

  /** The reason of an abort: the optional body {@code {reason?}}. */
  Route abortReason(Function<Optional<String>, Route> inner) {
    return noParams(
        () ->
            jsonBody(
                false,
                body ->
                    inner.apply(
                        body.map(request -> optionalString(fields(request, "reason"), "reason")))));
  }

  /** No body, or {@code {}}; a JSON content type all the same (see {@link #jsonBody}). */
  Route emptyBody(java.util.function.Supplier<Route> inner) {
    return noParams(
        () ->
            jsonBody(
                false,
                body -> {
                  body.ifPresent(request -> fields(request));
                  return inner.get();
                }));
  }

  /** {@code {approvalId, approved, reason?}}, required. */
  Route approveRequest(Function<ApproveRequest, Route> inner) {
    return noParams(
        () ->
            jsonBody(
                true,
                body -> {
                  JsonNode request = fields(body.orElseThrow(), "approvalId", "approved", "reason");
                  String approvalId = requiredString(request, "approvalId");
                  JsonNode approved = request.get("approved");
                  if (approved == null || !approved.isBoolean()) {
                    throw invalid("'approved' is required: true or false");
                  }
                  String reason = optionalString(request, "reason");
                  return inner.apply(
                      new ApproveRequest(approvalId, approved.booleanValue(), reason));
                }));
  }

  /** {@code {toolCallId, result | error}}, required: exactly one of {@code result} and {@code error}. */
  Route toolResultRequest(Function<ToolResultRequest, Route> inner) {
    return noParams(
        () ->
            jsonBody(
                true,
                body -> {
                  JsonNode request = fields(body.orElseThrow(), "toolCallId", "result", "error");
                  String toolCallId = requiredString(request, "toolCallId");
                  boolean hasResult = request.has("result");
                  String error = optionalString(request, "error");
                  if (hasResult == (error != null)) {
                    throw invalid("give exactly one of 'result' and 'error'");
                  }
                  return inner.apply(
                      new ToolResultRequest(toolCallId, request.get("result"), error));
                }));
  }

  /** The further user message of a resume: the optional body {@code {message?}}. */
  Route resumeMessage(Function<Optional<String>, Route> inner) {
    return noParams(
        () ->
            jsonBody(
                false,
                body ->
                    inner.apply(
                        body.map(
                            request -> optionalString(fields(request, "message"), "message")))));
  }

  /**
   * The request's JSON body: 415 unless it is JSON, 413 when too large, 400 when malformed; an
   * empty body is 400 when {@code required}, else empty. The content type must say JSON also when
   * the body is empty: a browser sends a cross-site POST without a preflight only with a form's or
   * plain text's content type, so requiring JSON keeps other sites' pages from acting for a user.
   */
  private Route jsonBody(boolean required, Function<Optional<JsonNode>, Route> inner) {
    return extractRequestEntity(
        entity -> {
          if (!isJson(entity.getContentType())) {
            return complete(Problems.unsupportedMediaType(entity.getContentType()));
          }
          if (entity.isKnownEmpty()) {
            return emptyBody(required, inner);
          }
          if (entity.getContentLengthOption().orElse(0) > settings.maxBodySize()) {
            return complete(Problems.payloadTooLarge(settings.maxBodySize()));
          }
          return extractMaterializer(
              materializer ->
                  onComplete(
                      entity
                          .withSizeLimit(settings.maxBodySize())
                          .toStrict(settings.bodyReadTimeout().toMillis(), materializer),
                      read -> {
                        if (read.isFailure()) {
                          Throwable error = ErrorHandling.unwrap(read.failed().get());
                          if (error instanceof EntityStreamSizeException) {
                            return complete(Problems.payloadTooLarge(settings.maxBodySize()));
                          } else if (error instanceof TimeoutException) {
                            return complete(Problems.bodyReadTimeout());
                          }
                          throw new IllegalStateException("reading the request body failed", error);
                        }
                        HttpEntity.Strict strict = read.get();
                        if (strict.getData().isEmpty()) {
                          return emptyBody(required, inner);
                        }
                        return inner.apply(Optional.of(parse(strict.getData().toArray())));
                      }));
        });
  }

  private Route emptyBody(boolean required, Function<Optional<JsonNode>, Route> inner) {
    if (required) {
      return complete(Problems.invalidRequest("a JSON body is required"));
    }
    return inner.apply(Optional.empty());
  }

  private static boolean isJson(ContentType contentType) {
    MediaType media = contentType.mediaType();
    return media.isApplication()
        && (media.subType().equals("json") || media.subType().endsWith("+json"));
  }

  private static JsonNode parse(byte[] body) {
    try {
      JsonNode node = JSON_READER.readTree(body);
      if (node == null || node.isMissingNode()) {
        throw new ProblemException(Problems.malformedJson("the body holds no JSON value"));
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ProblemException(Problems.malformedJson(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new ProblemException(Problems.malformedJson("the body is not readable JSON"));
    }
  }

  /**
   * The body as an object of no fields but {@code known}: a misspelt field is an error, not
   * silently dropped.
   */
  private static JsonNode fields(JsonNode body, String... known) {
    if (!body.isObject()) {
      throw invalid("the body must be a JSON object");
    }
    List<String> allowed = List.of(known);
    var names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw invalid("unknown field '" + RequestParsing.abbreviate(name) + "'; the fields are " + allowed);
      }
    }
    return body;
  }

  private static String requiredString(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw invalid("'" + field + "' is required");
    }
    return optionalString(body, field);
  }

  private static String optionalString(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw invalid("'" + field + "' must be a string");
    }
    return value.textValue();
  }

  // ---- values
}
