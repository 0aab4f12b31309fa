package io.helix.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.serialization.CborSerializable;

/**
 * What a {@link RunStatus#suspended} run waits for: an approval of a tool call ({@value
 * #APPROVAL}), or the result of a tool the client executes ({@value #CLIENT_TOOL}).
 *
 * @param kind {@value #APPROVAL} or {@value #CLIENT_TOOL}
 * @param runId the run that waits
 * @param toolCallId the model's tool call
 * @param approvalId the id to approve or deny with ({@link AgentHandle#approve}); null for a
 *     client tool
 * @param toolName the tool called
 * @param input the call's arguments
 */
public record PendingRequest(
    String kind, String runId, String toolCallId, String approvalId, String toolName, JsonNode input)
    implements CborSerializable {

  public static final String APPROVAL = "approval";
  public static final String CLIENT_TOOL = "client_tool";
}
