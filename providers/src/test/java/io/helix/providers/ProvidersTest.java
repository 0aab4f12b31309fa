package io.helix.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import io.helix.model.ModelCatalog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Which providers the configuration turns on, from reference.conf and its environment variables. */
class ProvidersTest {

  /** reference.conf resolved against {@code env} instead of the real environment. */
  private static Config config(Map<String, String> env) {
    return ConfigFactory.parseResources("reference.conf")
        .withFallback(ConfigFactory.parseMap(env))
        .resolve(ConfigResolveOptions.noSystem());
  }

  private static List<String> register(Map<String, String> env) {
    return Providers.register(new ModelCatalog(), config(env));
  }

  @Test
  void nothingIsConfiguredByDefault() {
    assertEquals(List.of(), register(Map.of()));
  }

  @Test
  void eachProviderIsConfiguredByItsEnvironmentVariable() {
    assertEquals(List.of("openai"), register(Map.of("OPENAI_API_KEY", "sk-1")));
    assertEquals(List.of("openai"), register(Map.of("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")));
    assertEquals(List.of("anthropic"), register(Map.of("ANTHROPIC_API_KEY", "sk-ant-1")));
    assertEquals(List.of("gemini"), register(Map.of("GEMINI_API_KEY", "g-1")));
    assertEquals(List.of("ollama"), register(Map.of("OLLAMA_BASE_URL", "http://127.0.0.1:11434")));
    assertEquals(
        List.of("openai", "anthropic", "gemini", "ollama"),
        register(
            Map.of(
                "OPENAI_API_KEY", "sk-1",
                "ANTHROPIC_API_KEY", "sk-ant-1",
                "GEMINI_API_KEY", "g-1",
                "OLLAMA_BASE_URL", "http://127.0.0.1:11434")));
  }

  @Test
  void aBaseUrlWithoutAKeyIsNotEnoughForKeyedProviders() {
    assertEquals(List.of(), register(Map.of("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")));
  }

  @Test
  void moreOpenAiCompatibleServersRegisterUnderTheirNames() {
    ModelCatalog catalog = new ModelCatalog();
    List<String> registered =
        Providers.register(
            catalog,
            ConfigFactory.parseString(
                    """
                    helix.providers.compatible {
                      vllm { base-url = "http://127.0.0.1:8000/v1" }
                      openrouter { base-url = "https://openrouter.ai/api/v1", api-key = "sk-or-1" }
                      unused { base-url = "" }
                    }
                    """)
                .withFallback(config(Map.of())));
    assertEquals(List.of("openrouter", "vllm"), registered);
    assertTrue(catalog.clientFor("vllm:qwen3").isPresent());
  }

  @Test
  void keysNeverReachTheLog() {
    Logger logger = (Logger) LoggerFactory.getLogger(Providers.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      register(
          Map.of(
              "OPENAI_API_KEY", "sk-secret-openai",
              "ANTHROPIC_API_KEY", "sk-secret-anthropic",
              "GEMINI_API_KEY", "secret-gemini",
              "OLLAMA_BASE_URL", "http://user:secret-password@127.0.0.1:11434/?token=secret-token"));
    } finally {
      logger.detachAppender(appender);
    }
    assertEquals(4, appender.list.size());
    for (ILoggingEvent event : appender.list) {
      String line = event.getFormattedMessage();
      assertFalse(line.contains("secret"), line);
    }
  }

  @Test
  void aSecretNeverShowsInToString() {
    Secret key = new Secret("sk-abc");
    assertEquals("****", key.toString());
    assertEquals("(none)", Secret.NONE.toString());
    assertFalse(new HttpSettings(null, null, 1).toString().contains("sk-abc"));
    assertEquals("bad key **** here", key.redact("bad key sk-abc here"));
  }

  @Test
  void baseUrlsAreNormalised() {
    assertEquals("https://api.anthropic.com/v1", Providers.withSuffix("https://api.anthropic.com", "/v1"));
    assertEquals("https://api.anthropic.com/v1", Providers.withSuffix("https://api.anthropic.com/v1/", "/v1"));
    assertEquals("http://127.0.0.1:11434/v1", Providers.withSuffix("http://127.0.0.1:11434/", "/v1"));
    assertEquals(
        "http://****@127.0.0.1:11434/?****",
        Providers.redactedUrl("http://u:p@127.0.0.1:11434/?key=k"));
  }
}
