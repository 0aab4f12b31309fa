package io.helix.run;

import io.helix.stream.StreamSettings;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Reads a run's own journal again, for the chunks of the events its stream may lack after a
 * restart ({@link ChunkOutbox#recover}); through the read journal the streams use ({@code
 * helix.stream.read-journal}). Without one, nothing is read again.
 */
final class RunJournal {

  private RunJournal() {}

  /** Reads the run's events from {@code from} on; answers {@link InternalCommand.ChunksRederived}. */
  static void readFrom(RunActor actor, long from) {
    ActorSystem<?> system = actor.context().getSystem();
    Optional<CurrentEventsByPersistenceIdQuery> query = query(system);
    if (query.isEmpty()) {
      actor.self().tell(new InternalCommand.ChunksRederived(List.of()));
      return;
    }
    String persistenceId = PersistenceId.of(RunEntity.TYPE_KEY.name(), actor.runId()).id();
    actor
        .context()
        .pipeToSelf(
            query
                .get()
                .currentEventsByPersistenceId(persistenceId, from, Long.MAX_VALUE)
                .filter(envelope -> envelope.event() instanceof RunEvent)
                .map(
                    envelope ->
                        new ChunkOutbox.Persisted(
                            envelope.sequenceNr(), (RunEvent) envelope.event()))
                .runWith(Sink.seq(), system),
            (events, failure) -> {
              if (failure != null) {
                // the chunks of these events are not sent again; the run goes on
                actor
                    .context()
                    .getLog()
                    .warn("run {}: reading its journal again failed", actor.runId(), failure);
                return new InternalCommand.ChunksRederived(List.of());
              }
              return new InternalCommand.ChunksRederived(events);
            });
  }

  private static Optional<CurrentEventsByPersistenceIdQuery> query(ActorSystem<?> system) {
    return StreamSettings.fromConfig(system.settings().config())
        .readJournal()
        .map(
            id ->
                PersistenceQuery.get(Adapter.toClassic(system))
                    .getReadJournalFor(ReadJournal.class, id))
        .filter(journal -> journal instanceof CurrentEventsByPersistenceIdQuery)
        .map(journal -> (CurrentEventsByPersistenceIdQuery) journal);
  }
}
