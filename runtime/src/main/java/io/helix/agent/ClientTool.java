package io.helix.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A tool the client executes: {@link Tool#client}. */
final class ClientTool implements Tool {
  private final String name;
  private final String description;
  private final JsonNode inputSchema;
  private final JsonNode outputSchema;

  ClientTool(String name, String description, JsonNode inputSchema, JsonNode outputSchema) {
    this.name = Objects.requireNonNull(name, "name");
    this.description = description == null ? "" : description;
    this.inputSchema = Objects.requireNonNull(inputSchema, "inputSchema");
    this.outputSchema = outputSchema;
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
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("'" + name + "' is executed by the client"));
  }

  @Override
  public boolean executedByClient() {
    return true;
  }

  @Override
  public JsonNode outputSchema() {
    return outputSchema;
  }
}
