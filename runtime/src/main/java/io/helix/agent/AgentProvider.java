package io.helix.agent;

import com.typesafe.config.Config;
import io.helix.model.ModelClient;
import java.util.List;
import java.util.Map;

/**
 * A source of agents for a Helix server: a plugin. The packaged server finds every implementation
 * on its class path and in each jar of its plugins directory ({@code HELIX_PLUGINS_DIR}, default
 * {@code ./plugins}) through {@link java.util.ServiceLoader}: a plugin jar names its class in
 * {@code META-INF/services/io.helix.agent.AgentProvider}. {@code HelixServer.builder()} takes
 * providers directly too.
 *
 * <p>The server calls {@link #init} once, then {@link #modelClients}, {@link #tools} and {@link
 * #agents}. Every node of a cluster must load the same plugins.
 *
 * <pre>{@code
 * public final class WeatherAgents implements AgentProvider {
 *   public List<AgentDefinition> agents() {
 *     return List.of(AgentDefinition.builder("weather").systemPrompt("...").model("openai:gpt-4o-mini")
 *         .tools(WeatherTool.tool()).build());
 *   }
 * }
 * }</pre>
 */
public interface AgentProvider {

  /** The agents this plugin adds (their sub-agents come with them). */
  List<AgentDefinition> agents();

  /**
   * Tools that agents declared in the agents file ({@code HELIX_AGENTS_FILE}) may name, by their
   * names. None by default.
   */
  default List<Tool> tools() {
    return List.of();
  }

  /** Model clients this plugin adds, by provider name (agents name them {@code provider:model}). */
  default Map<String, ModelClient> modelClients() {
    return Map.of();
  }

  /** Called once before the other methods, with what the server knows. */
  default void init(Context context) {}

  /** What a plugin may know of the server that loads it. */
  interface Context {

    /** The node's configuration (HOCON, with the environment's overrides). */
    Config config();

    /**
     * The model providers configured so far, in the order they were configured: those of the
     * environment ({@code OPENAI_API_KEY}, ...), then the builder's, then earlier plugins'.
     */
    List<String> modelProviders();
  }
}
