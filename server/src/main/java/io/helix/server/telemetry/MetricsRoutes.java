package io.helix.server.telemetry;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * {@code GET /metrics} on the management port (Pekko Management's route providers: {@code
 * pekko.management.http.routes.helix-metrics}), in Prometheus' text format.
 */
public final class MetricsRoutes extends AllDirectives implements ManagementRouteProvider {

  private static final ContentType.NonBinary PROMETHEUS_TEXT =
      (ContentType.NonBinary) ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final Telemetry telemetry;

  public MetricsRoutes(ExtendedActorSystem system) {
    this.telemetry = Telemetry.get(Adapter.toTyped(system));
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path(
        "metrics",
        () -> get(() -> complete(HttpEntities.create(PROMETHEUS_TEXT, telemetry.scrape()))));
  }
}
