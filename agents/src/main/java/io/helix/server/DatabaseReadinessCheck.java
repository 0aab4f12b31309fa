package io.helix.server;

import io.helix.persistence.DatabaseHealth;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/** A Pekko Management readiness check: the node is ready only while its database answers. */
public final class DatabaseReadinessCheck implements Supplier<CompletionStage<Boolean>> {

  private final ActorSystem system;
  private final Duration timeout;

  public DatabaseReadinessCheck(ActorSystem system) {
    this.system = system;
    this.timeout = system.settings().config().getDuration("helix.health.database-timeout");
  }

  @Override
  public CompletionStage<Boolean> get() {
    return DatabaseHealth.check(Adapter.toTyped(system), timeout);
  }
}
