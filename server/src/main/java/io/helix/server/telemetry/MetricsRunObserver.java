package io.helix.server.telemetry;

import io.helix.agent.RunStatus;
import io.helix.model.ModelCatalog;
import io.helix.model.TokenUsage;
import io.helix.run.RunObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Runs as meters. Model calls use the OpenTelemetry GenAI semantic conventions' names and
 * attributes ({@code gen_ai.client.operation.duration}, {@code gen_ai.client.token.usage}, {@code
 * gen_ai.operation.name}, {@code gen_ai.provider.name}, {@code gen_ai.request.model}, {@code
 * gen_ai.token.type}, {@code error.type}); the rest are Helix's own ({@code helix.*}).
 */
final class MetricsRunObserver implements RunObserver {

  private final MeterRegistry registry;
  private final java.util.Set<String> active = java.util.concurrent.ConcurrentHashMap.newKeySet();

  MetricsRunObserver(MeterRegistry registry) {
    this.registry = registry;
    io.micrometer.core.instrument.Gauge.builder("helix.runs.active", active, java.util.Set::size)
        .description("Runs working on this node (started or resumed here, not ended or moved)")
        .register(registry);
  }

  @Override
  public void runResumed(String runId, String agentType, String traceParent) {
    active.add(runId);
  }

  @Override
  public void runStopped(String runId) {
    active.remove(runId);
  }

  @Override
  public void runStarted(String runId, String agentType) {
    active.add(runId);
    Counter.builder("helix.runs.started")
        .description("Runs started on this node")
        .tag("agent_type", agentType)
        .register(registry)
        .increment();
  }

  @Override
  public void runEnded(
      String runId, String agentType, RunStatus status, String error, long durationMillis) {
    active.remove(runId);
    Counter.builder("helix.runs.ended")
        .description("Runs that ended on this node, by how")
        .tag("agent_type", agentType)
        .tag("status", status.name())
        .register(registry)
        .increment();
    Timer.builder("helix.run.duration")
        .description("From a run's start to its end")
        .tag("agent_type", agentType)
        .tag("status", status.name())
        .register(registry)
        .record(Duration.ofMillis(Math.max(0, durationMillis)));
  }

  @Override
  public void modelCallEnded(
      String runId,
      String agentType,
      String model,
      long durationMillis,
      TokenUsage usage,
      String finishReason,
      String error,
      boolean retrying) {
    String provider = ModelCatalog.provider(model);
    String name = ModelCatalog.modelName(model);
    Timer.builder("gen_ai.client.operation.duration")
        .description("GenAI operation duration")
        .tag("gen_ai.operation.name", "chat")
        .tag("gen_ai.provider.name", provider)
        .tag("gen_ai.request.model", name)
        .tag("error.type", error == null ? "" : retrying ? "retryable" : "fatal")
        .register(registry)
        .record(Duration.ofMillis(Math.max(0, durationMillis)));
    if (retrying) {
      Counter.builder("helix.model.retries")
          .description("Model calls that failed and are tried again")
          .tag("gen_ai.provider.name", provider)
          .tag("gen_ai.request.model", name)
          .register(registry)
          .increment();
    }
    if (usage != null) {
      tokens(provider, name, "input", usage.inputTokens());
      tokens(provider, name, "output", usage.outputTokens());
    }
  }

  private void tokens(String provider, String model, String type, long count) {
    DistributionSummary.builder("gen_ai.client.token.usage")
        .description("Tokens used per model call")
        .baseUnit("tokens")
        .tag("gen_ai.operation.name", "chat")
        .tag("gen_ai.provider.name", provider)
        .tag("gen_ai.request.model", model)
        .tag("gen_ai.token.type", type)
        .register(registry)
        .record(count);
  }

  @Override
  public void toolCallEnded(
      String runId,
      String agentType,
      String tool,
      String toolCallId,
      boolean success,
      long durationMillis) {
    Timer.builder("helix.tool.duration")
        .description("Tool calls, by outcome")
        .tag("agent_type", agentType)
        .tag("tool", tool)
        .tag("outcome", success ? "success" : "error")
        .register(registry)
        .record(Duration.ofMillis(Math.max(0, durationMillis)));
  }
}
