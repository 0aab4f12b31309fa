package io.helix.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A run as the server's read model (run history) holds it: an item of {@link RunPage}, and the
 * head of {@link RunState}.
 *
 * @param stepCount how many model responses the run has
 * @param customState the run's custom state
 * @param output the final answer once completed, else null
 * @param parentRunId the parent of a sub-agent's run, else null (on the wire: {@code
 *     parentAgentId})
 * @param createdAt when the run started; null when answered from the live run (not projected yet)
 * @param updatedAt when the row last changed; null like {@code createdAt}
 * @param json the row as sent, with any field this client does not know
 */
public record RunSummary(
    String runId,
    String agentType,
    String streamId,
    RunStatus status,
    int stepCount,
    JsonNode customState,
    JsonNode output,
    String error,
    String parentRunId,
    boolean aborted,
    String abortReason,
    TokenUsage usage,
    Instant createdAt,
    Instant updatedAt,
    JsonNode json) {}
