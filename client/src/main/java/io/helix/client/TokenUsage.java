package io.helix.client;

/** Tokens a run's model responses consumed, summed over the run. */
public record TokenUsage(long inputTokens, long outputTokens) {

  public static final TokenUsage ZERO = new TokenUsage(0, 0);
}
