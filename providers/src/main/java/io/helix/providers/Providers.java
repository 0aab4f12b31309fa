package io.helix.providers;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.helix.model.ModelCatalog;
import io.helix.model.ModelClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model providers, on LangChain4j: OpenAI and any OpenAI-compatible server ({@code openai},
 * plus each entry of {@code helix.providers.compatible}), Anthropic ({@code anthropic}), Google
 * Gemini ({@code gemini}) and Ollama ({@code ollama}, through its OpenAI-compatible endpoint).
 * Agents name a model as {@code provider:model}, e.g. {@code openai:gpt-4o-mini}.
 *
 * <p>Settings are under {@code helix.providers} (see this module's reference.conf, with the
 * environment variables that override them). A provider is configured when its API key is set, or
 * for OpenAI-compatible servers and Ollama, its base URL.
 */
public final class Providers {

  /** The provider names models are registered under. */
  public static final String OPENAI = "openai";

  public static final String ANTHROPIC = "anthropic";
  public static final String GEMINI = "gemini";
  public static final String OLLAMA = "ollama";

  private static final Logger log = LoggerFactory.getLogger(Providers.class);
  private static final String V1 = "/v1";

  private Providers() {}

  /**
   * Registers every configured provider in {@code models}; returns their names, in a stable order
   * (empty when none is configured).
   *
   * @param config the whole configuration; the providers' part is {@code helix.providers}
   */
  public static List<String> register(ModelCatalog models, Config config) {
    Config providers = config.getConfig("helix.providers");
    HttpSettings http = HttpSettings.fromConfig(providers);
    List<Configured> configured = new ArrayList<>();
    openAiFrom(providers.getConfig(OPENAI), http).ifPresent(configured::add);
    anthropicFrom(providers.getConfig(ANTHROPIC), http).ifPresent(configured::add);
    geminiFrom(providers.getConfig(GEMINI), http).ifPresent(configured::add);
    ollamaFrom(providers.getConfig(OLLAMA), http).ifPresent(configured::add);
    ConfigObject compatible = providers.getObject("compatible");
    for (String name : compatible.keySet().stream().sorted().toList()) {
      compatibleFrom(name, compatible.toConfig().getConfig(quoted(name)), http)
          .ifPresent(configured::add);
    }
    List<String> names = new ArrayList<>();
    for (Configured provider : configured) {
      models.register(provider.name(), provider.client());
      names.add(provider.name());
      log.info(
          "model provider '{}' configured: {}, API key {}",
          provider.name(),
          provider.baseUrl().isBlank() ? "default endpoint" : redactedUrl(provider.baseUrl()),
          provider.key().isSet() ? "set" : "not set");
    }
    return List.copyOf(names);
  }

  /** A provider ready to register; {@code baseUrl} as configured, for the log. */
  private record Configured(String name, String baseUrl, Secret key, ModelClient client) {}

  private static Optional<Configured> openAiFrom(Config openAi, HttpSettings http) {
    Secret key = new Secret(openAi.getString("api-key"));
    String url = openAi.getString("base-url");
    if (!key.isSet() && url.isBlank()) {
      return Optional.empty();
    }
    boolean thinking = openAi.getBoolean("return-thinking");
    return Optional.of(
        new Configured(OPENAI, url, key, openAi(OPENAI, blankToNull(url), key, thinking, http)));
  }

  private static Optional<Configured> anthropicFrom(Config anthropic, HttpSettings http) {
    Secret key = new Secret(anthropic.getString("api-key"));
    if (!key.isSet()) {
      return Optional.empty();
    }
    String url = anthropic.getString("base-url");
    ModelClient client =
        anthropic(
            ANTHROPIC,
            url.isBlank() ? null : withSuffix(url, V1),
            key,
            anthropic.getString("version"),
            anthropic.getInt("max-tokens"),
            http);
    return Optional.of(new Configured(ANTHROPIC, url, key, client));
  }

  private static Optional<Configured> geminiFrom(Config gemini, HttpSettings http) {
    Secret key = new Secret(gemini.getString("api-key"));
    if (!key.isSet()) {
      return Optional.empty();
    }
    String url = gemini.getString("base-url");
    return Optional.of(
        new Configured(GEMINI, url, key, gemini(GEMINI, blankToNull(url), key, http)));
  }

  private static Optional<Configured> ollamaFrom(Config ollama, HttpSettings http) {
    String url = ollama.getString("base-url");
    if (url.isBlank()) {
      return Optional.empty();
    }
    Secret key = new Secret(ollama.getString("api-key"));
    // Ollama streams its reasoning as "reasoning", which the OpenAI adapter reads as thinking
    return Optional.of(
        new Configured(OLLAMA, url, key, openAi(OLLAMA, withSuffix(url, V1), key, true, http)));
  }

  private static Optional<Configured> compatibleFrom(
      String name, Config server, HttpSettings http) {
    String url = server.hasPath("base-url") ? server.getString("base-url") : "";
    if (url.isBlank()) {
      return Optional.empty();
    }
    Secret key = new Secret(server.hasPath("api-key") ? server.getString("api-key") : "");
    boolean thinking = !server.hasPath("return-thinking") || server.getBoolean("return-thinking");
    return Optional.of(
        new Configured(name, url, key, openAi(name, url.strip(), key, thinking, http)));
  }

  // ---- the clients; package-private so tests can point them at fake servers

  static ModelClient openAi(
      String provider, String baseUrl, Secret key, boolean returnThinking, HttpSettings http) {
    StreamingChatModel model =
        OpenAiStreamingChatModel.builder()
            .httpClientBuilder(httpClient(baseUrl, http).asBuilder())
            .baseUrl(baseUrl)
            // a local server may need no key; the client then sends no Authorization header
            .apiKey(key.isSet() ? key.reveal() : null)
            .returnThinking(returnThinking)
            .timeout(http.responseTimeout())
            .build();
    return new LangChainModelClient(provider, model, new ProviderErrors(provider, key, http.maxErrorText()));
  }

  static ModelClient anthropic(
      String provider, String baseUrl, Secret key, String version, int maxTokens, HttpSettings http) {
    AnthropicStreamingChatModel.AnthropicStreamingChatModelBuilder builder =
        AnthropicStreamingChatModel.builder()
            .httpClientBuilder(httpClient(baseUrl, http).asBuilder())
            .apiKey(key.reveal())
            .version(version)
            .maxTokens(maxTokens)
            .timeout(http.responseTimeout());
    if (baseUrl != null) {
      builder.baseUrl(baseUrl);
    }
    return new LangChainModelClient(
        provider, builder.build(), new ProviderErrors(provider, key, http.maxErrorText()));
  }

  static ModelClient gemini(String provider, String baseUrl, Secret key, HttpSettings http) {
    GoogleAiGeminiStreamingChatModel.GoogleAiGeminiStreamingChatModelBuilder builder =
        GoogleAiGeminiStreamingChatModel.builder()
            .httpClientBuilder(
                httpClient(baseUrl, http, GeminiRequests::mergeFunctionResponses).asBuilder())
            .apiKey(key.reveal())
            // thoughts as thinking, not text; their signatures kept and sent back, which Gemini 3
            // requires with function calls
            .returnThinking(true)
            .sendThinking(true)
            .timeout(http.responseTimeout());
    if (baseUrl != null) {
      builder.baseUrl(baseUrl);
    }
    return new LangChainModelClient(
        provider, builder.build(), new ProviderErrors(provider, key, http.maxErrorText()));
  }

  private static CancellableHttpClient httpClient(String baseUrl, HttpSettings http) {
    return httpClient(baseUrl, http, UnaryOperator.identity());
  }

  private static CancellableHttpClient httpClient(
      String baseUrl, HttpSettings http, UnaryOperator<String> requestBody) {
    java.net.http.HttpClient.Builder jdk =
        java.net.http.HttpClient.newBuilder().connectTimeout(http.connectTimeout());
    if (baseUrl != null && baseUrl.startsWith("http:")) {
      // plain HTTP is a local server: skip the h2c upgrade that few of them understand
      jdk.version(java.net.http.HttpClient.Version.HTTP_1_1);
    }
    return new CancellableHttpClient(
        jdk.build(), http.responseTimeout(), http.maxErrorText(), requestBody);
  }

  // ---- small helpers

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** {@code url} ending in {@code suffix} (once), without a trailing slash. */
  static String withSuffix(String url, String suffix) {
    String trimmed = url.strip();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed.endsWith(suffix) ? trimmed : trimmed + suffix;
  }

  /** A URL fit for a log line: user info and query (where credentials may hide) are masked. */
  static String redactedUrl(String url) {
    try {
      URI uri = URI.create(url.strip());
      String userInfo = uri.getRawUserInfo() == null ? null : "****";
      String query = uri.getRawQuery() == null ? null : "****";
      return new URI(uri.getScheme(), userInfo, uri.getHost(), uri.getPort(), uri.getPath(), query, null)
          .toString();
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      return "(unparseable URL)";
    }
  }

  private static String quoted(String key) {
    return "\"" + key.replace("\"", "\\\"") + "\"";
  }
}
