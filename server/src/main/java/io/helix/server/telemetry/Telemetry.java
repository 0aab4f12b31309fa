package io.helix.server.telemetry;

import io.helix.history.ProjectionLag;
import io.helix.history.StateStore;
import io.helix.run.RunObserver;
import io.micrometer.core.instrument.Gauge;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A node's metrics: one Micrometer registry in Prometheus' format, served at {@code GET /metrics}
 * on the management port ({@link MetricsRoutes}). It holds the JVM's meters, the runs' ({@link
 * #runObserver}: runs, model calls with the OpenTelemetry GenAI names, tools), the read model's lag
 * per tag and the cluster's membership. Labels never carry run ids: their values are agent types,
 * models, tools, statuses and tags, which configuration bounds.
 *
 * <p>Micrometer rather than the OpenTelemetry SDK for metrics: it is the JVM's standard metrics
 * facade, its Prometheus registry is the reference exposition, and its JVM binders come with it.
 */
public final class Telemetry implements Extension {

  private static final Id ID = new Id();

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MetricsRunObserver runs = new MetricsRunObserver(registry);
  private final Map<String, AtomicLong> lagByTag = new ConcurrentHashMap<>();
  private final ActorSystem<?> system;
  private volatile OpenTelemetry openTelemetry;

  private Telemetry(ActorSystem<?> system) {
    this.system = system;
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Cluster cluster = Cluster.get(system);
    Gauge.builder("helix.cluster.members", cluster, c -> count(c, MemberStatus.up()))
        .description("Members of the cluster that are up, as this node sees them")
        .tag("status", "up")
        .register(registry);
    Gauge.builder("helix.cluster.members", cluster, c -> c.state().getUnreachable().size())
        .description("Members of the cluster this node cannot reach")
        .tag("status", "unreachable")
        .register(registry);
  }

  public static Telemetry get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** The registry, for meters of your own. */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * Traces go to {@code openTelemetry} (e.g. an SDK of your own, or one with an in-memory exporter
   * in tests); call before {@link #runObserver}. Without it they go where OpenTelemetry's
   * autoconfiguration says ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_SERVICE_NAME}, ...)
   * when {@code OTEL_EXPORTER_OTLP_ENDPOINT} or {@code OTEL_TRACES_EXPORTER} is set, and nowhere
   * otherwise.
   */
  public void useOpenTelemetry(OpenTelemetry value) {
    openTelemetry = value;
  }

  /** What the runtime reports its runs to ({@code HelixRuntime.start(..., observer)}). */
  public RunObserver runObserver() {
    return runObserver(RunObserver.NONE);
  }

  /** As {@link #runObserver()}, with {@code also} told everything after the telemetry. */
  public RunObserver runObserver(RunObserver also) {
    return new CompositeRunObserver(
        List.of(runs, new TracingRunObserver(openTelemetry().getTracer("io.helix")), also));
  }

  private synchronized OpenTelemetry openTelemetry() {
    if (openTelemetry == null) {
      boolean configured =
          !setting("OTEL_EXPORTER_OTLP_ENDPOINT", "otel.exporter.otlp.endpoint").isBlank()
              || !setting("OTEL_TRACES_EXPORTER", "otel.traces.exporter").isBlank();
      if (configured) {
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.initialize().getOpenTelemetrySdk();
        system.getWhenTerminated().thenRun(sdk::close);
        openTelemetry = sdk;
      } else {
        openTelemetry = OpenTelemetry.noop();
      }
    }
    return openTelemetry;
  }

  private static String setting(String env, String property) {
    String value = System.getProperty(property, System.getenv(env));
    return value == null ? "" : value;
  }

  /** The metrics in Prometheus' text format. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * Watches the read model's lag: {@code helix.projection.lag{tag}}, the events of each tag not
   * yet in the tables, asked every {@code interval}.
   */
  public void watchReadModel(ActorSystem<?> system, StateStore stateStore, Duration interval) {
    system.scheduler()
        .scheduleWithFixedDelay(
            Duration.ZERO,
            interval,
            () ->
                stateStore
                    .lag()
                    .thenAccept(
                        lags -> {
                          for (ProjectionLag lag : lags) {
                            lagByTag
                                .computeIfAbsent(lag.tag(), this::lagGauge)
                                .set(lag.eventsBehind());
                          }
                        }),
            system.executionContext());
  }

  private AtomicLong lagGauge(String tag) {
    AtomicLong value = new AtomicLong();
    Gauge.builder("helix.projection.lag", value, AtomicLong::get)
        .description("Run events of this tag not yet in the read model's tables")
        .tag("tag", tag)
        .register(registry);
    return value;
  }

  private static double count(Cluster cluster, MemberStatus status) {
    int n = 0;
    for (org.apache.pekko.cluster.Member member : cluster.state().getMembers()) {
      if (member.status().equals(status)) {
        n++;
      }
    }
    return n;
  }

  private static final class Id extends ExtensionId<Telemetry> {
    @Override
    public Telemetry createExtension(ActorSystem<?> system) {
      return new Telemetry(system);
    }
  }
}
