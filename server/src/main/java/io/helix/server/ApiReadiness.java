package io.helix.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * Whether this node's HTTP API is bound: a Pekko Management readiness check, so a load balancer
 * sends no request before the API can take it.
 */
public final class ApiReadiness implements Supplier<CompletionStage<Boolean>> {

  /** The node's flag. */
  static final class Flag implements Extension {
    final AtomicBoolean bound = new AtomicBoolean();
  }

  static final class FlagId extends AbstractExtensionId<Flag> {
    static final FlagId INSTANCE = new FlagId();

    @Override
    public Flag createExtension(ExtendedActorSystem system) {
      return new Flag();
    }
  }

  private final Flag flag;

  public ApiReadiness(ActorSystem system) {
    this.flag = FlagId.INSTANCE.get(system);
  }

  static void markBound(ActorSystem system) {
    FlagId.INSTANCE.get(system).bound.set(true);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(flag.bound.get());
  }
}
