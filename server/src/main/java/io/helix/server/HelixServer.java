package io.helix.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentProvider;
import io.helix.agent.Tool;
import io.helix.history.StateStore;
import io.helix.http.HttpApi;
import io.helix.http.HttpSettings;
import io.helix.model.ModelClient;
import io.helix.persistence.DatabaseMigrations;
import io.helix.persistence.DatabaseSettings;
import io.helix.persistence.readmodel.ReadModel;
import io.helix.runtime.HelixRuntime;
import io.helix.server.telemetry.Telemetry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A complete Helix node: migrations, the actor system and cluster, the runtime, the read model,
 * health endpoints and the HTTP API. Start one from your own {@code main}:
 *
 * <pre>{@code
 * HelixServer server = HelixServer.builder()
 *     .agents(myAgent)                       // AgentDefinitions
 *     .modelClient("mine", myModelClient)    // optional: models beyond the configured providers
 *     .start();                              // HOCON from ConfigFactory.load() unless config(...)
 * }</pre>
 *
 * <p>Besides the builder's, a node runs the agents of every {@link AgentProvider} on its class
 * path and in its plugins directory ({@code helix.plugins-dir}, env {@code HELIX_PLUGINS_DIR}), and
 * those of its agents file ({@code helix.agents-file}, env {@code HELIX_AGENTS_FILE}). Every node of
 * a cluster must run the same agents.
 */
public final class HelixServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HelixServer.class);

  private final ActorSystem<Void> system;
  private final AgentExecutor executor;
  private final ServerBinding binding;
  private final int managementPort;

  private HelixServer(
      ActorSystem<Void> system, AgentExecutor executor, ServerBinding binding, int managementPort) {
    this.system = system;
    this.executor = executor;
    this.binding = binding;
    this.managementPort = managementPort;
  }

  /** A builder for a node. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts a node on {@code config} with nothing but what it finds (plugins, agents file). */
  public static HelixServer start(Config config) throws Exception {
    return builder().config(config).start();
  }

  /** What a node runs and how it is configured. */
  public static final class Builder {
    private Config config;
    private final List<AgentDefinition> agents = new ArrayList<>();
    private final List<Tool> tools = new ArrayList<>();
    private final Map<String, ModelClient> models = new LinkedHashMap<>();
    private final List<AgentProvider> providers = new ArrayList<>();
    private io.opentelemetry.api.OpenTelemetry openTelemetry;

    private Builder() {}

    /**
     * Where traces go; by default where OpenTelemetry's autoconfiguration says when {@code
     * OTEL_EXPORTER_OTLP_ENDPOINT} (or {@code OTEL_TRACES_EXPORTER}) is set, else nowhere.
     */
    public Builder openTelemetry(io.opentelemetry.api.OpenTelemetry value) {
      openTelemetry = value;
      return this;
    }

    /** The node's configuration; by default {@code ConfigFactory.load()}. */
    public Builder config(Config value) {
      config = value;
      return this;
    }

    /** Agents to run (their sub-agents come with them). */
    public Builder agents(AgentDefinition... value) {
      agents.addAll(Arrays.asList(value));
      return this;
    }

    /** Tools that agents of the agents file may name. */
    public Builder tools(Tool... value) {
      tools.addAll(Arrays.asList(value));
      return this;
    }

    /** A model client for agents whose model is {@code provider:model}. */
    public Builder modelClient(String provider, ModelClient client) {
      models.put(provider, client);
      return this;
    }

    /** A provider of agents, tools and models, as a plugin would add them. */
    public Builder provider(AgentProvider provider) {
      providers.add(provider);
      return this;
    }

    /** Starts the node; fails, with nothing left running, if any part cannot start. */
    public HelixServer start() throws Exception {
      Config loaded = config != null ? config : ConfigFactory.load();
      return HelixServer.start(DatabaseSettings.withJournal(loaded), this);
    }
  }

  private static HelixServer start(Config config, Builder builder) throws Exception {
    DatabaseSettings database = DatabaseSettings.fromConfig(config);
    ClusterFormation.requireSharedDatabase(config, database);
    HttpSettings http = HttpSettings.fromConfig(config);
    SecureDefaults.requireAuthentication(config, http);
    // plugins, the agents file and models first: a broken one stops the start before anything runs
    List<PluginLoader.Loaded> plugins = new ArrayList<>();
    builder.providers.forEach(p -> plugins.add(new PluginLoader.Loaded(p, "builder: " + p.getClass().getName())));
    ClassLoader classPath = HelixServer.class.getClassLoader();
    plugins.addAll(PluginLoader.fromClassPath(classPath));
    plugins.addAll(
        PluginLoader.fromDirectory(Path.of(config.getString("helix.plugins-dir")), classPath));
    AgentAssembly assembly =
        AgentAssembly.assemble(config, builder.agents, builder.tools, builder.models, plugins);

    int migrated = DatabaseMigrations.migrate(database);
    log.info("database {}: {} migration(s) applied", database.redactedUrl(), migrated);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "helix", config);
    try {
      // health binds while the rest starts (/ready holds back until all checks pass)
      CompletableFuture<org.apache.pekko.http.javadsl.model.Uri> management =
          PekkoManagement.get(system).start().toCompletableFuture();
      String formation = ClusterFormation.join(system, config);
      log.info("joining the cluster through {}", formation);

      Telemetry telemetry = Telemetry.get(system);
      if (builder.openTelemetry != null) {
        telemetry.useOpenTelemetry(builder.openTelemetry);
      }
      // the agent_state and messages tables, kept by projections of the run events (and told of
      // runs given up, whose journals cannot be read)
      StateStore stateStore = ReadModel.start(system);
      AgentExecutor executor =
          HelixRuntime.start(
              system,
              assembly.agents,
              assembly.models,
              telemetry.runObserver(ReadModel.givenUpRuns(stateStore)),
              ReadModel.erasure(system));
      telemetry.watchReadModel(
          system, stateStore, config.getDuration("helix.telemetry.projection-lag-interval"));

      ServerBinding binding =
          new HttpApi(executor, assembly.agents, stateStore, http)
              .bind(system)
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      ApiReadiness.markBound(Adapter.toClassic(system));
      int managementPort = management.get(30, TimeUnit.SECONDS).port();
      log.info(
          "Helix server ready: HTTP http://{}:{}, health http://{}:{}/ready, agents {}",
          http.host(),
          binding.localAddress().getPort(),
          config.getString("pekko.management.http.hostname"),
          managementPort,
          assembly.agents.all().stream().map(AgentDefinition::name).toList());
      return new HelixServer(system, executor, binding, managementPort);
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

  /** The management port: {@code /ready}, {@code /alive}, {@code /metrics}, {@code /cluster/*}. */
  public int managementPort() {
    return managementPort;
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
