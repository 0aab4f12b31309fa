package io.helix.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelClient;
import java.util.List;

/**
 * Ollama, configured as a user does (its base URL only, no key), through its OpenAI-compatible
 * endpoint: the OpenAI wire protocol under {@code /v1}.
 */
class OllamaProviderTest extends OpenAiProviderTest {

  @Override
  String provider() {
    return Providers.OLLAMA;
  }

  @Override
  ModelClient client(String serverUrl) {
    ModelCatalog catalog = new ModelCatalog();
    List<String> registered =
        Providers.register(
            catalog,
            ConfigFactory.parseString("helix.providers.ollama.base-url = \"" + serverUrl + "/\"")
                .withFallback(ConfigFactory.parseResources("reference.conf"))
                // not the environment: a developer's OPENAI_API_KEY would add a provider here
                .resolve(ConfigResolveOptions.noSystem()));
    assertEquals(List.of(Providers.OLLAMA), registered);
    return catalog.clientFor("ollama:test-model").orElseThrow();
  }

  @Override
  Secret configuredKey() {
    return Secret.NONE;
  }

  @Override
  void assertFirstRequest(FakeModelServer.Request request) {
    assertNull(request.header("Authorization"), "no key, no Authorization header");
  }
}
