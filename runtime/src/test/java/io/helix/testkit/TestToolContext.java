package io.helix.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.agent.ToolContext;
import io.helix.json.Json;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/** A {@link ToolContext} for calling a tool directly in a test, outside any run. */
public final class TestToolContext implements ToolContext {

  private static final Executor BLOCKING = Executors.newCachedThreadPool();

  private final ObjectNode state = Json.object();
  private final CompletableFuture<String> cancelled = new CompletableFuture<>();
  public final List<JsonNode> emitted = new CopyOnWriteArrayList<>();

  @Override
  public String runId() {
    return "test-run";
  }

  @Override
  public String agentType() {
    return "test-agent";
  }

  @Override
  public int step() {
    return 1;
  }

  @Override
  public String toolCallId() {
    return "call-1";
  }

  @Override
  public CompletionStage<String> cancellation() {
    return cancelled;
  }

  public void cancel(String reason) {
    cancelled.complete(reason);
  }

  @Override
  public Executor blockingExecutor() {
    return BLOCKING;
  }

  @Override
  public synchronized ObjectNode getState() {
    return state.deepCopy();
  }

  @Override
  public synchronized void updateState(Consumer<ObjectNode> update) {
    update.accept(state);
  }

  @Override
  public void emit(String eventName, JsonNode data) {
    emitted.add(Json.object().put("eventName", eventName).set("data", data));
  }
}
