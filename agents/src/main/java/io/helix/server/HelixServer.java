package io.helix.server;

import com.typesafe.config.Config;
import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentRegistry;
import io.helix.examples.ExampleAgents;
import io.helix.examples.FetchUrl;
import io.helix.examples.OfflineModel;
import io.helix.http.HttpApi;
import io.helix.http.HttpSettings;
import io.helix.model.ModelCatalog;
import io.helix.persistence.DatabaseMigrations;
import io.helix.persistence.DatabaseSettings;
import io.helix.persistence.readmodel.ReadModel;
import io.helix.history.StateStore;
import io.helix.providers.Providers;
import io.helix.runtime.HelixRuntime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runnable server: migrations, the actor system and cluster, the runtime with the example
 * agents, health endpoints and the HTTP API. A user copies this wiring with their own agents.
 */
public final class HelixServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HelixServer.class);

  private final ActorSystem<Void> system;
  private final AgentExecutor executor;
  private final ServerBinding binding;

  private HelixServer(ActorSystem<Void> system, AgentExecutor executor, ServerBinding binding) {
    this.system = system;
    this.executor = executor;
    this.binding = binding;
  }

  /** Starts a node on {@code config} (normally {@code ConfigFactory.load()}). */
  public static HelixServer start(Config config) throws Exception {
    Config withJournal = DatabaseSettings.withJournal(config);
    DatabaseSettings database = DatabaseSettings.fromConfig(withJournal);
    ClusterFormation.requireSharedDatabase(withJournal, database);
    int migrated = DatabaseMigrations.migrate(database);
    log.info("database {}: {} migration(s) applied", database.redactedUrl(), migrated);

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "helix", withJournal);
    try {
      // health binds while the rest starts (/ready holds back until all checks pass)
      CompletableFuture<?> management = PekkoManagement.get(system).start().toCompletableFuture();
      String formation = ClusterFormation.join(system, withJournal);
      log.info("joining the cluster through {}", formation);

      ModelCatalog models = new ModelCatalog();
      models.register(
          OfflineModel.PROVIDER,
          OfflineModel.create(withJournal.getDuration("helix.offline-model.pause")));
      List<String> providers = Providers.register(models, withJournal);
      String model = withJournal.getString("helix.default-model");
      if (model.isBlank() && !providers.isEmpty()) {
        // the first configured provider's usual model
        Config defaults = withJournal.getConfig("helix.provider-default-models");
        model =
            providers.stream()
                .filter(defaults::hasPath)
                .map(defaults::getString)
                .findFirst()
                .orElse("");
      }
      if (model.isBlank()) {
        model = OfflineModel.MODEL_ID;
        log.info(
            "{}: the example agents run on the built-in offline model",
            providers.isEmpty()
                ? "no model provider configured"
                : "HELIX_DEFAULT_MODEL is not set (providers " + providers + " are configured)");
      } else if (models.clientFor(model).isEmpty()) {
        throw new IllegalStateException(
            "HELIX_DEFAULT_MODEL names provider '" + ModelCatalog.provider(model)
                + "', which is not configured (configured: " + providers
                + "); set its API key or base URL, see README 'Model providers'");
      }
      AgentRegistry agents =
          ExampleAgents.registry(model, FetchUrl.Settings.fromConfig(withJournal));
      AgentExecutor executor = HelixRuntime.start(system, agents, models);
      // the agent_state and messages tables, kept by projections of the run events
      StateStore stateStore = ReadModel.start(system);

      HttpSettings http = HttpSettings.fromConfig(withJournal);
      ServerBinding binding =
          new HttpApi(executor, agents, stateStore, http)
              .bind(system)
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      ApiReadiness.markBound(Adapter.toClassic(system));
      management.get(30, TimeUnit.SECONDS);
      log.info(
          "Helix server ready: HTTP http://{}:{}, health http://{}:{}/ready, model {}",
          http.host(),
          binding.localAddress().getPort(),
          withJournal.getString("pekko.management.http.hostname"),
          withJournal.getInt("pekko.management.http.port"),
          model);
      return new HelixServer(system, executor, binding);
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public AgentExecutor executor() {
    return executor;
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  @Override
  public void close() throws ExecutionException, TimeoutException {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
