package io.helix.client;

/**
 * A run the server accepted ({@code POST /agent/execute}).
 *
 * @param runId the run's id (the one given for an idempotent start, else the server's)
 * @param streamUrl the path of its SSE stream, e.g. {@code /agent/stream/<runId>}
 * @param resultUrl the path of its result, e.g. {@code /agent/result/<runId>}
 */
public record Execution(String runId, String streamUrl, String resultUrl) {}
