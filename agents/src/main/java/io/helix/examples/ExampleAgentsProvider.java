package io.helix.examples;

import com.typesafe.config.Config;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentProvider;
import io.helix.agent.Tool;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example agents ({@code research}, {@code analyzer}), their tools ({@code calculator}, {@code
 * fetch_url}) and the built-in offline model, as a plugin on the packaged server's class path.
 *
 * <p>The agents' model is {@code helix.default-model} (env {@code HELIX_DEFAULT_MODEL}); unset, that
 * of the first configured provider ({@code helix.provider-default-models}); with none, the offline
 * model.
 */
public final class ExampleAgentsProvider implements AgentProvider {

  private static final Logger log = LoggerFactory.getLogger(ExampleAgentsProvider.class);

  private List<AgentDefinition> agents = List.of();
  private List<Tool> tools = List.of();
  private ModelClient offline;

  @Override
  public void init(Context context) {
    Config config = context.config();
    offline = OfflineModel.create(config.getDuration("helix.offline-model.pause"));
    String model = model(config, context.modelProviders());
    FetchUrl.Settings fetch = FetchUrl.Settings.fromConfig(config);
    agents = new ArrayList<>(ExampleAgents.registry(model, fetch).all());
    tools = List.of(Calculator.tool(), FetchUrl.tool(fetch));
  }

  /** The example agents' model. */
  static String model(Config config, List<String> providers) {
    String model = config.getString("helix.default-model");
    if (model.isBlank()) {
      Config defaults = config.getConfig("helix.provider-default-models");
      model =
          providers.stream()
              .filter(defaults::hasPath)
              .map(defaults::getString)
              .findFirst()
              .orElse("");
    }
    if (model.isBlank()) {
      log.info(
          "{}: the example agents run on the built-in offline model",
          providers.isEmpty()
              ? "no model provider configured"
              : "HELIX_DEFAULT_MODEL is not set (providers " + providers + " are configured)");
      return OfflineModel.MODEL_ID;
    }
    String provider = ModelCatalog.provider(model);
    if (!providers.contains(provider) && !provider.equals(OfflineModel.PROVIDER)) {
      throw new IllegalStateException(
          "HELIX_DEFAULT_MODEL names provider '" + provider + "', which is not configured"
              + " (configured: " + providers + "); set its API key or base URL, see README"
              + " 'Model providers'");
    }
    return model;
  }

  @Override
  public List<AgentDefinition> agents() {
    return agents;
  }

  @Override
  public List<Tool> tools() {
    return tools;
  }

  @Override
  public Map<String, ModelClient> modelClients() {
    return Map.of(OfflineModel.PROVIDER, offline);
  }
}
