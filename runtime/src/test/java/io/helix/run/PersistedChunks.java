package io.helix.run;

import static io.helix.testkit.TestRuntime.await;

import io.helix.stream.StreamChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * For tests of the hand-off to streams: a run's events as its journal holds them, and the chunks
 * they say its stream holds (those of its persisted events, then its end), as {@code "type data"}.
 */
public final class PersistedChunks {

  /** The chunk types that follow from persisted events (and a run's end). */
  public static final Set<String> TYPES =
      Set.of("run_start", "tool_start", "tool_end", "state_patch", "output", "run_end");

  private PersistedChunks() {}

  /** The run's events, read through the read journal {@code readJournalId}. */
  public static List<RunEvent> events(ActorSystem<?> system, String readJournalId, String runId)
      throws Exception {
    CurrentEventsByPersistenceIdQuery journal =
        (CurrentEventsByPersistenceIdQuery)
            PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(ReadJournal.class, readJournalId);
    return await(
        journal
            .currentEventsByPersistenceId(
                PersistenceId.of(RunEntity.TYPE_KEY.name(), runId).id(), 0, Long.MAX_VALUE)
            .map(envelope -> (RunEvent) envelope.event())
            .runWith(Sink.seq(), system));
  }

  /** What the events say the run's stream holds: their chunks, then the run's end. */
  public static List<String> expected(List<RunEvent> events) {
    List<String> expected = new ArrayList<>();
    RunState state = RunState.EMPTY;
    for (RunEvent event : events) {
      state = state.apply(event);
      RunChunks.ofEvent(event).forEach(c -> expected.add(c.type() + " " + c.data()));
    }
    RunChunks.runEnd(state).forEach(c -> expected.add(c.type() + " " + c.data()));
    return expected;
  }

  /** The chunks of a stream that follow from persisted events, in the form of {@link #expected}. */
  public static List<String> of(List<StreamChunk> chunks) {
    return chunks.stream()
        .filter(c -> TYPES.contains(c.type()))
        .map(c -> c.type() + " " + c.data())
        .toList();
  }
}
