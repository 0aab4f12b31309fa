package io.helix.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/** A tool whose calls wait for approval when a predicate holds for their input: {@link Tool#requireApproval}. */
final class GatedTool implements Tool {
  private final Tool tool;
  private final Predicate<JsonNode> when;

  GatedTool(Tool tool, Predicate<JsonNode> when) {
    this.tool = Objects.requireNonNull(tool, "tool");
    this.when = Objects.requireNonNull(when, "when");
  }

  @Override
  public String name() {
    return tool.name();
  }

  @Override
  public String description() {
    return tool.description();
  }

  @Override
  public JsonNode inputSchema() {
    return tool.inputSchema();
  }

  @Override
  public CompletionStage<?> execute(JsonNode input, ToolContext context) {
    return tool.execute(input, context);
  }

  @Override
  public boolean requiresApproval(JsonNode input) {
    return tool.requiresApproval(input) || when.test(input);
  }

  @Override
  public boolean executedByClient() {
    return tool.executedByClient();
  }

  @Override
  public JsonNode outputSchema() {
    return tool.outputSchema();
  }
}
