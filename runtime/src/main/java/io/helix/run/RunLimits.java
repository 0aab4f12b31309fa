package io.helix.run;

import io.helix.agent.AgentDefinition;
import io.helix.model.ModelResponse;
import io.helix.model.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The limits of a run, as pure functions (see {@link RunDecisions}): its agent's {@code maxSteps},
 * its token budget and its deadline.
 */
final class RunLimits {

  /** A token budget of 0: no limit. */
  static final long UNLIMITED = 0;

  private RunLimits() {}

  /** Tokens counted against a budget: input and output. */
  static long tokens(TokenUsage usage) {
    return usage.inputTokens() + usage.outputTokens();
  }

  /**
   * The budget of a run: the smaller of its agent's ({@code agentBudget}) and the one its start
   * asked for ({@code asked}), of those set (above 0); 0 when neither is: no limit. A request may
   * lower its agent's budget, never raise it.
   */
  static long budget(long agentBudget, long asked) {
    if (agentBudget <= UNLIMITED) {
      return Math.max(UNLIMITED, asked);
    }
    return asked <= UNLIMITED ? agentBudget : Math.min(agentBudget, asked);
  }

  /**
   * The run's failure when the model response {@code response} takes its usage (its own model
   * responses, input and output tokens; a sub-agent's run has a budget of its own) beyond {@code
   * maxTokens} (0: no limit); empty while within it.
   */
  static Optional<RunEvent.RunFailed> overBudget(
      RunState state, ModelResponse response, long maxTokens, long now) {
    long used = tokens(state.usage().plus(response.usage()));
    if (maxTokens <= UNLIMITED || used <= maxTokens) {
      return Optional.empty();
    }
    return Optional.of(
        new RunEvent.RunFailed(
            "token budget exceeded: used " + used + " of " + maxTokens + " tokens", null, now));
  }

  /**
   * The events, and a failure when after them the run would need a model call beyond {@code
   * maxSteps}.
   */
  static List<RunEvent> withinMaxSteps(
      RunState state, List<RunEvent> events, Optional<AgentDefinition> agent, long now) {
    RunState after = state;
    for (RunEvent event : events) {
      after = after.apply(event);
    }
    int maxSteps = agent.map(AgentDefinition::maxSteps).orElse(Integer.MAX_VALUE);
    if (after.active() && after.pendingToolCalls().isEmpty() && after.step() >= maxSteps) {
      List<RunEvent> all = new ArrayList<>(events);
      all.add(
          new RunEvent.RunFailed(
              "reached maxSteps (" + maxSteps + ") without a final answer", null, now));
      return all;
    }
    return events;
  }

  /** How long the run has until its agent's deadline (zero once past); empty without one. */
  static Optional<Duration> untilDeadline(
      RunState state, Optional<AgentDefinition> agent, long now) {
    return agent
        .map(AgentDefinition::deadline)
        .map(deadline -> state.createdAt() + deadline.toMillis() - now)
        .map(left -> Duration.ofMillis(Math.max(0, left)));
  }

  /** The run's deadline passed, cutting short what the model was streaming. */
  static RunEvent.RunFailed deadlineExceeded(
      Optional<AgentDefinition> agent, io.helix.model.AssistantMessage interrupted, long now) {
    Duration deadline = agent.map(AgentDefinition::deadline).orElse(Duration.ZERO);
    return new RunEvent.RunFailed(
        "run deadline of " + deadline + " exceeded", interrupted, now);
  }
}
