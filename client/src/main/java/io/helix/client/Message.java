package io.helix.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One message of a run's conversation.
 *
 * @param sequence its position in the conversation, from 0
 * @param role {@code user}, {@code assistant} or {@code tool}
 * @param content the text; for a tool message its result as JSON text, null when the call failed
 * @param toolCalls the tool calls an assistant message asks for (a JSON array of {@code {id, name,
 *     arguments}}; empty otherwise)
 * @param toolCallId the call a tool message answers
 * @param toolName the tool a tool message comes from
 * @param thinking an assistant message's reasoning, when the model gave it and it was asked for
 * @param error why a tool call failed, else null
 */
public record Message(
    int sequence,
    String role,
    String content,
    JsonNode toolCalls,
    String toolCallId,
    String toolName,
    String thinking,
    String error,
    Instant createdAt) {}
