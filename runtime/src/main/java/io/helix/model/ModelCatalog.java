package io.helix.model;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves an agent's model id, {@code provider:model}, to the client of its provider. A bare id
 * without a provider prefix names a provider with an empty model name.
 */
public final class ModelCatalog {

  private final Map<String, ModelClient> providers = new ConcurrentHashMap<>();

  public ModelCatalog register(String provider, ModelClient client) {
    providers.put(provider, client);
    return this;
  }

  public Optional<ModelClient> clientFor(String modelId) {
    return Optional.ofNullable(providers.get(provider(modelId)));
  }

  public static String provider(String modelId) {
    int colon = modelId.indexOf(':');
    return colon < 0 ? modelId : modelId.substring(0, colon);
  }

  public static String modelName(String modelId) {
    int colon = modelId.indexOf(':');
    return colon < 0 ? "" : modelId.substring(colon + 1);
  }
}
