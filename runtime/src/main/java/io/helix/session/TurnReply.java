package io.helix.session;

import io.helix.run.RunCommand;
import io.helix.serialization.CborSerializable;

/** The answer to {@link SessionCommand.StartTurn}. */
public sealed interface TurnReply extends CborSerializable {

  /** The turn is the active one: start its run with {@code turn}. */
  record Proceed(RunCommand.Turn turn) implements TurnReply {}

  /** Another turn is active (its run may have ended unheard of: ask it, then end the turn). */
  record Busy(String activeRunId) implements TurnReply {}

  /** The session is a conversation with another agent. */
  record OtherAgent(String agentType) implements TurnReply {}
}
