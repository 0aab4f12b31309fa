package io.helix.server;

import io.helix.persistence.DatabaseHealth;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/** A Pekko Management readiness check: the node is ready only while its database answers. */
public final class DatabaseReadinessCheck implements Supplier<CompletionStage<Boolean>> {

  private final DatabaseHealth health;

  public DatabaseReadinessCheck(ActorSystem system) {
    this.health = DatabaseHealth.get(Adapter.toTyped(system));
  }

  @Override
  public CompletionStage<Boolean> get() {
    return health.check();
  }
}
