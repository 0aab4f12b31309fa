package io.helix.session;

import io.helix.agent.SessionView;
import io.helix.run.TurnReport;
import io.helix.serialization.CborSerializable;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/** The protocol of {@link SessionEntity}; every command crosses the wire. */
public sealed interface SessionCommand extends CborSerializable {

  /**
   * Starts a turn with run {@code runId}, or answers the active turn again when it is that run
   * (a retried start). The caller then starts the run with the {@link TurnReply.Proceed}'s turn.
   *
   * @param sessionId the id the owner gave the session (its entity's id may be derived from it)
   */
  record StartTurn(
      String sessionId,
      String owner,
      String agentType,
      String message,
      String runId,
      ActorRef<TurnReply> replyTo)
      implements SessionCommand {}

  /** What became of the active turn's run, as the caller found out ({@link TurnReport}). */
  record EndTurn(TurnReport report, ActorRef<Done> replyTo) implements SessionCommand {}

  /** The active turn's run ended (told by the run itself; no answer). */
  record TurnEnded(TurnReport report) implements SessionCommand {}

  /** Answers the session (empty when there is none). */
  record Get(ActorRef<Lookup> replyTo) implements SessionCommand {}

  /** Erases the session; answers it as it was (empty when there was none). */
  record Erase(ActorRef<Lookup> replyTo) implements SessionCommand {}

  /** A session, or none ({@code view} null). */
  record Lookup(SessionView view) implements CborSerializable {
    public Optional<SessionView> session() {
      return Optional.ofNullable(view);
    }
  }
}
