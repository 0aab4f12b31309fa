package io.helix.agent;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The agent types a node can run. Every node of a cluster registers the same agents. */
public final class AgentRegistry {

  private final Map<String, AgentDefinition> agents = new LinkedHashMap<>();

  /** Registers the agent and, where not yet registered, its sub-agents. */
  public synchronized AgentRegistry register(AgentDefinition agent) {
    AgentDefinition existing = agents.putIfAbsent(agent.name(), agent);
    if (existing != null && existing != agent) {
      throw new IllegalArgumentException("agent '" + agent.name() + "' is already registered");
    }
    for (AgentDefinition sub : agent.subAgents()) {
      if (agents.get(sub.name()) != sub) {
        register(sub);
      }
    }
    return this;
  }

  public synchronized Optional<AgentDefinition> get(String agentType) {
    return Optional.ofNullable(agents.get(agentType));
  }

  public synchronized Collection<AgentDefinition> all() {
    return Collections.unmodifiableCollection(new java.util.ArrayList<>(agents.values()));
  }
}
