package io.helix.run;

import io.helix.agent.RunResult;
import io.helix.serialization.CborSerializable;
import java.util.Optional;

/** A run as its entity answers it; {@code run} is null when no run has this id. */
public record RunLookup(RunResult run) implements CborSerializable {

  public static final RunLookup NONE = new RunLookup(null);

  public Optional<RunResult> result() {
    return Optional.ofNullable(run);
  }
}
