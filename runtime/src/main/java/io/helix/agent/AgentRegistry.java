package io.helix.agent;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The agent types a node can run. Every node of a cluster registers the same agents. */
public final class AgentRegistry {

  private final Map<String, AgentDefinition> agents = new LinkedHashMap<>();

  public synchronized AgentRegistry register(AgentDefinition agent) {
    if (agents.putIfAbsent(agent.name(), agent) != null) {
      throw new IllegalArgumentException("agent '" + agent.name() + "' is already registered");
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
