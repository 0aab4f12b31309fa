package io.helix.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import io.helix.json.JsonSchemas;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * A tool an agent's model may call: a name, a description, a JSON-Schema input and an
 * asynchronous {@code execute}. Tools are executed at least once per call; side-effecting tools
 * de-duplicate with {@link ToolContext#idempotencyKey()}.
 */
public interface Tool {

  String name();

  String description();

  /** The JSON Schema of the input, as given to the model. */
  JsonNode inputSchema();

  /**
   * Executes one call. Must not block the calling thread: blocking work belongs on {@link
   * ToolContext#blockingExecutor()} (see {@link #blocking}). The result is any value Jackson can
   * write; a failed stage goes back to the model as a failed tool result.
   */
  CompletionStage<?> execute(JsonNode input, ToolContext context);

  /**
   * Whether a call with this input waits for a person's approval before it runs. The run then
   * persists the request, streams {@code tool_approval_request} and is {@link
   * RunStatus#suspended} until {@link AgentHandle#approve} decides; a denial goes back to the
   * model as a failed tool result. Never, unless the tool is made with {@link #requireApproval}.
   */
  default boolean requiresApproval(JsonNode input) {
    return false;
  }

  /**
   * Whether the client executes this tool: the server has no implementation ({@link #execute} is
   * never called); the run streams {@code client_tool_request} and is {@link RunStatus#suspended}
   * until {@link AgentHandle#submitToolResult} gives the result. See {@link #client}.
   */
  default boolean executedByClient() {
    return false;
  }

  /** The JSON Schema a client tool's result must satisfy, or null for any result. */
  default JsonNode outputSchema() {
    return null;
  }

  /** This tool, each of whose calls waits for approval before it runs. */
  default Tool requireApproval() {
    return requireApproval(input -> true);
  }

  /**
   * This tool, whose calls wait for approval before they run when {@code when} holds for their
   * input (e.g. {@code input -> input.path("amount").asDouble() > 100}).
   */
  default Tool requireApproval(Predicate<JsonNode> when) {
    return new GatedTool(this, when);
  }

  /**
   * A tool the client executes (e.g. one that reads the user's location in a browser): the model
   * sees its name, description and input schema; its calls are answered with {@link
   * AgentHandle#submitToolResult}, with any result.
   */
  static <I> Tool client(String name, String description, Class<I> inputType) {
    return new ClientTool(name, description, JsonSchemas.of(inputType), null);
  }

  /** A client-executed tool whose results must be valid against the schema of {@code outputType}. */
  static <I> Tool client(
      String name, String description, Class<I> inputType, Class<?> outputType) {
    return new ClientTool(
        name, description, JsonSchemas.of(inputType), JsonSchemas.of(outputType));
  }

  /**
   * A non-blocking tool whose input arrives deserialized as {@code inputType}, with the schema
   * generated from that type.
   */
  static <I> Tool of(
      String name,
      String description,
      Class<I> inputType,
      BiFunction<I, ToolContext, ? extends CompletionStage<?>> execute) {
    return new TypedTool<>(name, description, inputType, execute);
  }

  /**
   * A tool whose code blocks (I/O, CPU); it runs on the runtime's blocking-tool dispatcher. When
   * the call is cancelled (the run is aborted or moves, the call times out) a call still waiting for
   * a thread never starts, and a running one is interrupted.
   */
  static <I> Tool blocking(
      String name, String description, Class<I> inputType, BiFunction<I, ToolContext, ?> execute) {
    return new TypedTool<>(
        name,
        description,
        inputType,
        (input, context) -> BlockingCall.start(() -> execute.apply(input, context), context));
  }

  /** The implementation behind {@link #of} and {@link #blocking}. */
  final class TypedTool<I> implements Tool {
    private final String name;
    private final String description;
    private final Class<I> inputType;
    private final JsonNode inputSchema;
    private final BiFunction<I, ToolContext, ? extends CompletionStage<?>> execute;

    TypedTool(
        String name,
        String description,
        Class<I> inputType,
        BiFunction<I, ToolContext, ? extends CompletionStage<?>> execute) {
      this.name = name;
      this.description = description;
      this.inputType = inputType;
      this.inputSchema = JsonSchemas.of(inputType);
      this.execute = execute;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String description() {
      return description;
    }

    @Override
    public JsonNode inputSchema() {
      return inputSchema;
    }

    @Override
    public CompletionStage<?> execute(JsonNode input, ToolContext context) {
      I typed;
      try {
        typed = Json.mapper().treeToValue(input, inputType);
      } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
        return CompletableFuture.failedFuture(
            new IllegalArgumentException("invalid input for tool '" + name + "': " + e.getMessage()));
      }
      return execute.apply(typed, context);
    }
  }
}
