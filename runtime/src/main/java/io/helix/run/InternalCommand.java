package io.helix.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.RunResult;
import io.helix.model.ModelEvent;
import io.helix.model.ModelResponse;
import io.helix.run.RunDecisions.ToolOutcome;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages a {@link RunEntity} sends itself: from its timers, its model call, its tools and its
 * asks of sub-agents. They never leave the node and some carry a {@link Throwable}: deliberately
 * not serializable.
 */
sealed interface InternalCommand extends RunCommand {

  /** A delta of the model call {@code attempt} of {@code step}. */
  record ModelStreamed(int step, int attempt, ModelEvent event) implements InternalCommand {}

  record ModelAnswered(int step, int attempt, ModelResponse response) implements InternalCommand {}

  record ModelFailed(int step, int attempt, Throwable cause) implements InternalCommand {}

  record ModelTimedOut(int step, int attempt) implements InternalCommand {}

  record RetryModel(int step, int attempt) implements InternalCommand {}

  /**
   * A tool call (or a sub-agent started for one) ended; the outcome's {@code stateAfter} is the
   * custom state as the call left it, null when the call cannot change it.
   */
  record ToolFinished(int step, String toolCallId, ToolOutcome outcome)
      implements InternalCommand {}

  /** A tool asked to stream a custom event. */
  record ToolEmitted(int step, String toolCallId, String eventName, JsonNode data)
      implements InternalCommand {}

  /** The answer to start attempt {@code attempt} of a sub-agent's run: a reply, or the ask's failure. */
  record SubAgentAnswered(
      int step, String toolCallId, int attempt, StartReply reply, Throwable failure)
      implements InternalCommand {}

  /**
   * Work that follows a persisted event failed unexpectedly (a bug, or a tool or agent that breaks
   * its contract): the run fails with the reason instead of its entity stopping (and, remembered,
   * restarting into the same failure).
   */
  record Broken(String reason) implements InternalCommand {}

  /** A sub-agent's run ended, or what it waits for changed: {@code result} says which. */
  record SubAgentChanged(int step, String toolCallId, RunResult result)
      implements InternalCommand {}

  /** A slice of the wait for a sub-agent passed without its result: wait again. */
  record SubAgentStillRunning(int step, String toolCallId) implements InternalCommand {}

  /** A caller waiting for the result went away (its ask timed out). */
  record WaiterGone(ActorRef<RunLookup> waiter) implements InternalCommand {}

  /**
   * A run that was asked to stop while its tools executed has recorded them ({@code timedOut}
   * false), or waited as long as it may: it stops now.
   */
  record HandedOff(boolean timedOut) implements InternalCommand {}

  /** The first pending approval's expiry has come (see {@link HumanDecisions#expired}). */
  enum ApprovalsExpired implements InternalCommand {
    INSTANCE
  }

  enum DeadlineReached implements InternalCommand {
    INSTANCE
  }

  /** The messages of the hand-off of chunks to the stream, which the {@link ChunkOutbox} takes. */
  sealed interface OutboxCommand extends InternalCommand {}

  /** The coalescing window closed. */
  enum FlushChunks implements OutboxCommand {
    INSTANCE
  }

  /** The append in flight was not acknowledged in time. */
  enum ResendChunks implements OutboxCommand {
    INSTANCE
  }

  /**
   * The stream holds every chunk of this run up to origin sequence {@code upTo}; or it has {@code
   * ended} and takes nothing more.
   */
  record ChunksAcked(long upTo, boolean ended) implements OutboxCommand {}

  /** After a recovery: the run's events from the one its stream's highest chunk follows. */
  record ChunksRederived(java.util.List<ChunkOutbox.Persisted> events) implements OutboxCommand {}

  enum PassivateFinished implements InternalCommand {
    INSTANCE
  }
}
