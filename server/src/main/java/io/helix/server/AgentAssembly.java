package io.helix.server;

import com.typesafe.config.Config;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentProvider;
import io.helix.agent.AgentRegistry;
import io.helix.agent.Tool;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelClient;
import io.helix.providers.Providers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node runs, put together before anything starts: the model clients (of the environment,
 * the builder and the plugins), the named tools, and the agents (the builder's, the plugins', the
 * agents file's). Any plugin or file that cannot be used stops the start here, naming it.
 */
final class AgentAssembly {

  private static final Logger log = LoggerFactory.getLogger(AgentAssembly.class);

  final AgentRegistry agents = new AgentRegistry();
  final ModelCatalog models = new ModelCatalog();
  final Map<String, Tool> tools = new LinkedHashMap<>();
  private final List<String> providers = new ArrayList<>();

  private AgentAssembly() {}

  static AgentAssembly assemble(
      Config config,
      List<AgentDefinition> ownAgents,
      List<Tool> ownTools,
      Map<String, ModelClient> ownModels,
      List<PluginLoader.Loaded> plugins) {
    AgentAssembly assembly = new AgentAssembly();
    assembly.providers.addAll(Providers.register(assembly.models, config));
    ownModels.forEach(assembly::addModel);
    ownTools.forEach(tool -> assembly.addTool(tool, "the builder"));
    ownAgents.forEach(assembly.agents::register);
    for (PluginLoader.Loaded plugin : plugins) {
      assembly.add(plugin, config);
    }
    String file = config.getString("helix.agents-file");
    if (!file.isBlank()) {
      for (AgentDefinition agent : AgentsFile.load(Path.of(file), assembly.tools)) {
        assembly.register(agent, "agents file " + file);
      }
    }
    return assembly;
  }

  private void add(PluginLoader.Loaded plugin, Config config) {
    AgentProvider provider = plugin.provider();
    try {
      provider.init(new Context(config, List.copyOf(providers)));
      provider.modelClients().forEach(this::addModel);
      provider.tools().forEach(tool -> addTool(tool, plugin.origin()));
      for (AgentDefinition agent : provider.agents()) {
        register(agent, plugin.origin());
      }
    } catch (PluginLoader.PluginException e) {
      throw e;
    } catch (RuntimeException | LinkageError e) {
      throw new PluginLoader.PluginException(plugin.origin() + " failed: " + e, e);
    }
    log.info("{}: agents {}", plugin.origin(), provider.agents().stream().map(AgentDefinition::name).toList());
  }

  private void register(AgentDefinition agent, String origin) {
    try {
      agents.register(agent);
    } catch (IllegalArgumentException e) {
      throw new PluginLoader.PluginException(origin + ": " + e.getMessage(), e);
    }
  }

  private void addModel(String provider, ModelClient client) {
    models.register(provider, client);
    if (!providers.contains(provider)) {
      providers.add(provider);
    }
  }

  private void addTool(Tool tool, String origin) {
    Tool existing = tools.putIfAbsent(tool.name(), tool);
    if (existing != null && existing != tool) {
      throw new PluginLoader.PluginException(
          origin + ": a tool named '" + tool.name() + "' is already registered");
    }
  }

  private record Context(Config config, List<String> modelProviders)
      implements AgentProvider.Context {}
}
