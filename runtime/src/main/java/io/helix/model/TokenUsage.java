package io.helix.model;

import io.helix.serialization.CborSerializable;

/** Tokens consumed by one model response, or summed over a run. */
public record TokenUsage(long inputTokens, long outputTokens) implements CborSerializable {

  public static final TokenUsage ZERO = new TokenUsage(0, 0);

  public TokenUsage plus(TokenUsage other) {
    return other == null
        ? this
        : new TokenUsage(inputTokens + other.inputTokens, outputTokens + other.outputTokens);
  }
}
