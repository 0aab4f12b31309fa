package io.helix.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.RunResult;
import io.helix.model.ModelEvent;
import io.helix.model.ModelResponse;
import io.helix.serialization.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;

/** The protocol of {@link RunEntity}. */
public sealed interface RunCommand extends CborSerializable {

  /**
   * Starts the run, or answers the run already started under this id.
   *
   * @param parentRunId the parent of a sub-agent run, else null
   * @param streamId where chunks go: the run's own id, or its root's for a sub-agent
   */
  record Start(
      String agentType,
      String message,
      String parentRunId,
      String streamId,
      ActorRef<StartReply> replyTo)
      implements RunCommand {}

  /** Answers the run as it is now ({@link RunLookup} without a result when there is no run). */
  record GetStatus(ActorRef<RunLookup> replyTo) implements RunCommand {}

  /** Answers once the run has ended (at once if it has, or if there is no run). */
  record AwaitResult(ActorRef<RunLookup> replyTo) implements RunCommand {}

  /** Aborts the run; answers its status afterwards. */
  record Abort(String reason, ActorRef<RunLookup> replyTo) implements RunCommand {}

  /** Sent by the shard to stop a passivated entity. */
  enum Stop implements RunCommand {
    INSTANCE
  }

  // Messages the entity sends itself. They never cross the wire.

  /** A delta of the model call {@code attempt} of {@code step}. */
  record ModelStreamed(int step, int attempt, ModelEvent event) implements RunCommand {}

  record ModelAnswered(int step, int attempt, ModelResponse response) implements RunCommand {}

  record ModelFailed(int step, int attempt, Throwable cause) implements RunCommand {}

  record ModelTimedOut(int step, int attempt) implements RunCommand {}

  record RetryModel(int step, int attempt) implements RunCommand {}

  /** A tool call ended; {@code stateAfter} is the custom state as the call left it. */
  record ToolFinished(
      int step, String toolCallId, JsonNode result, String error, JsonNode stateAfter)
      implements RunCommand {}

  /** A tool asked to stream a custom event. */
  record ToolEmitted(int step, String toolCallId, String eventName, JsonNode data)
      implements RunCommand {}

  record SubAgentAnswered(int step, String toolCallId, StartReply reply, Throwable failure)
      implements RunCommand {}

  record SubAgentEnded(int step, String toolCallId, RunResult result) implements RunCommand {}

  record SubAgentStillRunning(int step, String toolCallId) implements RunCommand {}

  /** A caller waiting for the result went away (its ask timed out). */
  record WaiterGone(ActorRef<RunLookup> waiter) implements RunCommand {}

  enum DeadlineReached implements RunCommand {
    INSTANCE
  }

  enum FlushChunks implements RunCommand {
    INSTANCE
  }

  enum PassivateFinished implements RunCommand {
    INSTANCE
  }
}
