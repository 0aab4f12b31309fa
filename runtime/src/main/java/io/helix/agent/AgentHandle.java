package io.helix.agent;

import io.helix.stream.StreamChunk;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/** A run, started or found again by its id. */
public interface AgentHandle {

  String runId();

  /** Completes when the run ends, however long it takes. */
  CompletionStage<RunResult> result();

  /** The run as it is now, running or ended. */
  CompletionStage<RunResult> status();

  /**
   * The run's chunks from {@code fromOffset} on: first those already stored, then live ones, with
   * no gap and no duplicate; completes when the stream ends.
   */
  Source<StreamChunk, NotUsed> stream(long fromOffset);

  /**
   * Aborts the run: the model call and tools in flight are cancelled. On an ended run it changes
   * nothing. Completes with the run's status afterwards.
   */
  CompletionStage<RunResult> abort(String reason);
}
