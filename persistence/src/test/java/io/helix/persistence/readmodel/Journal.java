package io.helix.persistence.readmodel;

import io.helix.history.*;
import io.helix.run.RunEvent;
import io.helix.run.RunHistory;
import io.helix.run.RunState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/** The runs as the journal has them, read back through the JDBC read journal. */
final class Journal {

  /** A run's events in order and what they fold to. */
  record History(String runId, List<RunEvent> events, RunState state) {

    /** The rows the read model should hold for this run. */
    AgentStateRow expectedRow() {
      return new AgentStateRow(
          state.runId(), state.agentType(), state.streamId(), state.status(), state.step(),
          state.customState(), state.output(), state.error(), state.parentRunId(), state.aborted(),
          state.abortReason(), state.usage(), state.createdAt(), state.updatedAt());
    }

    /** When each message of the run was created: the time of the event that added it. */
    List<Long> messageTimes() {
      List<Long> times = new ArrayList<>();
      for (RunEvent event : events) {
        if (event instanceof RunEvent.RunStarted
            || event instanceof RunEvent.ModelResponded
            || event instanceof RunEvent.ToolResultRecorded
            || event instanceof RunEvent.OutputRequested
            || (event instanceof RunEvent.RunAborted aborted && aborted.interrupted() != null)
            || (event instanceof RunEvent.RunFailed failed && failed.interrupted() != null)) {
          times.add(event.timestamp());
        }
      }
      return times;
    }
  }

  private Journal() {}

  /** Every run in the journal, by run id. */
  static Map<String, History> runs(ActorSystem<?> system) throws Exception {
    JdbcReadJournal journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    List<String> ids =
        journal
            .currentPersistenceIds()
            .filter(id -> id.startsWith(RunEventHandler.PERSISTENCE_ID_PREFIX))
            .runWith(Sink.seq(), system)
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    Map<String, History> runs = new TreeMap<>();
    for (String id : ids) {
      List<RunEvent> events =
          journal
              .currentEventsByPersistenceId(id, 0, Long.MAX_VALUE)
              .map(EventEnvelope::event)
              .map(RunEvent.class::cast)
              .runWith(Sink.seq(), system)
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      String runId = RunEventHandler.runIdOf(id);
      runs.put(runId, new History(runId, events, RunHistory.fold(events)));
    }
    return runs;
  }
}
