package io.helix.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.model.TokenUsage;
import io.helix.serialization.CborSerializable;

/**
 * A run's outcome, or its progress while it runs.
 *
 * @param output the final answer (text, or the structured output) when completed
 * @param error why it failed, when failed
 * @param steps how many model responses the run has
 * @param usage tokens summed over the run's model responses
 * @param state the run's custom state
 * @param parentRunId the parent of a sub-agent's run, else null
 * @param streamId the stream the run writes to: its own id, or its root run's for a sub-agent
 */
public record RunResult(
    String runId,
    String agentType,
    RunStatus status,
    JsonNode output,
    String error,
    boolean aborted,
    String abortReason,
    int steps,
    TokenUsage usage,
    JsonNode state,
    String parentRunId,
    String streamId)
    implements CborSerializable {}
