package io.helix.server.telemetry;

import io.helix.agent.RunStatus;
import io.helix.model.ModelCatalog;
import io.helix.model.TokenUsage;
import io.helix.run.RunObserver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs as OpenTelemetry spans, named and described as the GenAI semantic conventions say: a run
 * is {@code invoke_agent <agent>}, each model call {@code chat <model>} (provider, model, usage,
 * finish reason; a failed attempt is an error, with a {@code gen_ai.retry} event when another
 * follows), each tool call {@code execute_tool <tool>}; a sub-agent's run is a child of its parent's
 * run span. The run span's {@code traceparent} is persisted with the run: a run resumed after a
 * crash, or on another node, goes on as a child of its first span, in the same trace. Prompt and
 * completion content are never recorded.
 */
final class TracingRunObserver implements RunObserver {

  private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  private static final TextMapGetter<String> TRACEPARENT =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
          return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
          return "traceparent".equals(key) ? carrier : null;
        }
      };

  private final Tracer tracer;
  private final Map<String, Span> runs = new ConcurrentHashMap<>();
  private final Map<String, Span> modelCalls = new ConcurrentHashMap<>();
  private final Map<String, Span> toolCalls = new ConcurrentHashMap<>();

  TracingRunObserver(Tracer tracer) {
    this.tracer = tracer;
  }

  @Override
  public String runStarting(
      String runId, String agentType, String parentRunId, String callerTraceParent) {
    Span span = runSpan(runId, agentType, parent(callerTraceParent), false);
    if (parentRunId != null) {
      span.setAttribute("helix.parent_run.id", parentRunId);
    }
    SpanContext context = span.getSpanContext();
    if (!context.isValid()) {
      return null;
    }
    return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
  }

  @Override
  public void runResumed(String runId, String agentType, String traceParent) {
    if (traceParent != null) {
      runSpan(runId, agentType, parent(traceParent), true);
    }
  }

  private Span runSpan(String runId, String agentType, Context parent, boolean resumed) {
    Span span =
        tracer
            .spanBuilder("invoke_agent " + agentType)
            .setParent(parent)
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute(OPERATION, "invoke_agent")
            .setAttribute("gen_ai.agent.name", agentType)
            .setAttribute("helix.run.id", runId)
            .setAttribute("helix.run.resumed", resumed)
            .startSpan();
    Span before = runs.put(runId, span);
    if (before != null) {
      before.end();
    }
    return span;
  }

  @Override
  public void runStopped(String runId) {
    endWork(runId, "the run moved");
    Span span = runs.remove(runId);
    if (span != null) {
      span.setAttribute("helix.run.moved", true).end();
    }
  }

  @Override
  public void runEnded(
      String runId, String agentType, RunStatus status, String error, long durationMillis) {
    endWork(runId, "the run ended");
    Span span = runs.remove(runId);
    if (span != null) {
      span.setAttribute("helix.run.status", status.name());
      if (status == RunStatus.failed) {
        span.setStatus(StatusCode.ERROR, error == null ? "failed" : error);
      }
      span.end();
    }
  }

  @Override
  public void modelCallStarted(String runId, int step, int attempt, String model) {
    Span span =
        tracer
            .spanBuilder("chat " + ModelCatalog.modelName(model))
            .setParent(runContext(runId))
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute(OPERATION, "chat")
            .setAttribute("gen_ai.provider.name", ModelCatalog.provider(model))
            .setAttribute("gen_ai.request.model", ModelCatalog.modelName(model))
            .setAttribute("helix.step", step)
            .setAttribute("helix.attempt", attempt)
            .startSpan();
    Span before = modelCalls.put(runId, span);
    if (before != null) {
      before.end();
    }
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
    Span span = modelCalls.remove(runId);
    if (span == null) {
      return;
    }
    if (usage != null) {
      span.setAttribute("gen_ai.usage.input_tokens", usage.inputTokens());
      span.setAttribute("gen_ai.usage.output_tokens", usage.outputTokens());
    }
    if (finishReason != null) {
      span.setAttribute(
          AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of(finishReason));
    }
    if (error != null) {
      span.setAttribute("error.type", retrying ? "retryable" : "fatal");
      span.setStatus(StatusCode.ERROR, error);
      if (retrying) {
        span.addEvent("gen_ai.retry", Attributes.of(AttributeKey.stringKey("error.message"), error));
      }
    }
    span.end();
  }

  @Override
  public void toolCallStarted(String runId, String toolCallId, String tool) {
    toolCalls.put(
        runId + "/" + toolCallId,
        tracer
            .spanBuilder("execute_tool " + tool)
            .setParent(runContext(runId))
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute(OPERATION, "execute_tool")
            .setAttribute("gen_ai.tool.name", tool)
            .setAttribute("gen_ai.tool.call.id", toolCallId)
            .startSpan());
  }

  @Override
  public void toolCallEnded(
      String runId,
      String agentType,
      String tool,
      String toolCallId,
      boolean success,
      long durationMillis) {
    Span span = toolCalls.remove(runId + "/" + toolCallId);
    if (span != null) {
      if (!success) {
        span.setStatus(StatusCode.ERROR, "the tool call failed");
      }
      span.end();
    }
  }

  /** Ends the model and tool spans of a run that stops or ends while they are open. */
  private void endWork(String runId, String why) {
    Span model = modelCalls.remove(runId);
    if (model != null) {
      model.setStatus(StatusCode.ERROR, why).end();
    }
    toolCalls.entrySet().removeIf(
        entry -> {
          if (entry.getKey().startsWith(runId + "/")) {
            entry.getValue().setStatus(StatusCode.ERROR, why).end();
            return true;
          }
          return false;
        });
  }

  private Context runContext(String runId) {
    Span run = runs.get(runId);
    return run == null ? Context.root() : Context.root().with(run);
  }

  private static Context parent(String traceParent) {
    if (traceParent == null || traceParent.isBlank()) {
      return Context.root();
    }
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceParent, TRACEPARENT);
  }
}
