package io.helix.run;

import io.helix.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The protocol of {@link RunEntity}. Only the public commands cross the wire (each is {@link
 * CborSerializable}); {@link Stop} and the entity's messages to itself ({@link InternalCommand})
 * stay on their node, and some carry a {@link Throwable}, so none of them is serializable.
 */
public sealed interface RunCommand
    permits RunCommand.Start,
        RunCommand.GetStatus,
        RunCommand.AwaitResult,
        RunCommand.Abort,
        RunCommand.AwaitSettled,
        RunCommand.AwaitChange,
        RunCommand.Approve,
        RunCommand.SubmitToolResult,
        RunCommand.Interrupt,
        RunCommand.Resume,
        RunCommand.ReportTurn,
        RunCommand.Stop,
        InternalCommand {

  /**
   * Starts the run, or answers the run already started under this id.
   *
   * @param parentRunId the parent of a sub-agent run, else null
   * @param streamId where chunks go: the run's own id, or its root's for a sub-agent
   * @param traceParent the W3C {@code traceparent} of the caller's span, which the run's trace
   *     joins; null for none (and from nodes of an earlier version)
   * @param owner the principal the run belongs to (a sub-agent's is its parent's); null for the
   *     shared principal
   * @param turn the session of which the run is a turn, with its conversation so far; null for a
   *     run of its own
   * @param maxTokens the token budget asked for the run (0: its agent's; it may only lower that)
   */
  record Start(
      String agentType,
      String message,
      String parentRunId,
      String streamId,
      ActorRef<StartReply> replyTo,
      String traceParent,
      String owner,
      Turn turn,
      long maxTokens)
      implements RunCommand, CborSerializable {

    /** A start with no owner and no session. */
    public Start(
        String agentType,
        String message,
        String parentRunId,
        String streamId,
        ActorRef<StartReply> replyTo,
        String traceParent) {
      this(agentType, message, parentRunId, streamId, replyTo, traceParent, null, null, 0);
    }

    /** A start with no trace context of the caller's. */
    public Start(
        String agentType,
        String message,
        String parentRunId,
        String streamId,
        ActorRef<StartReply> replyTo) {
      this(agentType, message, parentRunId, streamId, replyTo, null);
    }
  }

  /**
   * A turn of a session: the session's id, its conversation before the turn (which the model sees
   * first) and its custom state (the run's initial state; null: the agent's).
   */
  record Turn(
      String sessionId,
      java.util.List<io.helix.model.Message> history,
      com.fasterxml.jackson.databind.JsonNode state)
      implements CborSerializable {
    public Turn {
      history = history == null ? java.util.List.of() : java.util.List.copyOf(history);
    }
  }

  /** Answers the run as it is now ({@link RunLookup} without a result when there is no run). */
  record GetStatus(ActorRef<RunLookup> replyTo) implements RunCommand, CborSerializable {}

  /** Answers once the run has ended (at once if it has, or if there is no run). */
  record AwaitResult(ActorRef<RunLookup> replyTo) implements RunCommand, CborSerializable {}

  /** Aborts the run; answers its status afterwards. */
  record Abort(String reason, ActorRef<RunLookup> replyTo)
      implements RunCommand, CborSerializable {}

  /**
   * Answers once the run is no longer running: ended, suspended (waiting for someone) or
   * interrupted (at once if it is, or if there is no run).
   */
  record AwaitSettled(ActorRef<RunLookup> replyTo) implements RunCommand, CborSerializable {}

  /**
   * Answers once the run has ended or what it waits for ({@link
   * io.helix.agent.RunResult#pending()}, its sub-agents' included) is other than {@code known} (at
   * once if so, or if there is no run): how a parent follows its sub-agent's run.
   */
  record AwaitChange(
      java.util.List<io.helix.agent.PendingRequest> known, ActorRef<RunLookup> replyTo)
      implements RunCommand, CborSerializable {

    public AwaitChange {
      known = known == null ? java.util.List.of() : java.util.List.copyOf(known);
    }
  }

  /** Decides a pending approval; {@code reason} may be null. */
  record Approve(
      String approvalId, boolean approved, String reason, ActorRef<ControlReply> replyTo)
      implements RunCommand, CborSerializable {}

  /** The result ({@code error} null) or error of a call of a client-executed tool. */
  record SubmitToolResult(
      String toolCallId,
      com.fasterxml.jackson.databind.JsonNode result,
      String error,
      ActorRef<ControlReply> replyTo)
      implements RunCommand, CborSerializable {}

  /** Interrupts the run (a soft stop it can be resumed from); {@code reason} may be null. */
  record Interrupt(String reason, ActorRef<ControlReply> replyTo)
      implements RunCommand, CborSerializable {}

  /** Resumes an interrupted run; {@code message} (may be null) is a further user message. */
  record Resume(String message, ActorRef<ControlReply> replyTo)
      implements RunCommand, CborSerializable {}

  /** Answers the run as a turn of its session ({@link TurnReport#none} when there is no run). */
  record ReportTurn(ActorRef<TurnReport> replyTo) implements RunCommand, CborSerializable {}

  /** Sent by the local shard to stop a passivated entity; never serialized. */
  enum Stop implements RunCommand {
    INSTANCE
  }
}
