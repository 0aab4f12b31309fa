package io.helix.model;

import java.util.List;

/**
 * One model call of a run.
 *
 * @param model the model name within its provider (the part after {@code provider:})
 * @param runId the run, for providers and fakes that key on it
 * @param step the step this call answers, starting at 1
 */
public record ModelRequest(
    String model,
    String systemPrompt,
    List<Message> messages,
    List<ToolSpec> tools,
    String runId,
    int step) {}
