package io.helix.run;

import io.helix.agent.RunResult;
import io.helix.serialization.CborSerializable;

/** The answer to {@link RunCommand.Start}. */
public sealed interface StartReply extends CborSerializable {

  record Started(RunResult run) implements StartReply {}

  /** The id was taken; {@code sameInput} tells whether by the same agent type and message. */
  record AlreadyExists(RunResult run, boolean sameInput) implements StartReply {}

  record Rejected(String reason) implements StartReply {}
}
