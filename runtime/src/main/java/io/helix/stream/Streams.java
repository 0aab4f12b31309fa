package io.helix.stream;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams of a node: {@link StreamEntity} sharded over the cluster (see {@link
 * StreamEntity#init}), the retention sweep, and a client to append to, subscribe to and look at a
 * stream from any node.
 *
 * <pre>{@code
 * Streams streams = Streams.start(system);
 * streams.subscribe("run-1", 0).runForeach(chunk -> ..., system);
 * }</pre>
 */
public final class Streams {

  private static final Logger log = LoggerFactory.getLogger(Streams.class);

  private final ClusterSharding sharding;
  private final StreamSettings settings;
  private final Optional<ReadJournal> readJournal;
  private final Duration askTimeout;

  private Streams(
      ClusterSharding sharding,
      StreamSettings settings,
      Optional<ReadJournal> readJournal) {
    this.sharding = sharding;
    this.settings = settings;
    this.readJournal = readJournal;
    this.askTimeout = settings.subscribeTimeout();
  }

  /** Starts the streams on this node with {@code helix.stream} of the system's configuration. */
  public static Streams start(ActorSystem<?> system) {
    return start(system, StreamSettings.fromConfig(system.settings().config()));
  }

  /**
   * Starts the streams on this node: the sharded entity and the retention sweep (both idempotent,
   * so a second call only answers another client).
   */
  public static Streams start(ActorSystem<?> system, StreamSettings settings) {
    StreamEntity.init(system, settings);
    ClusterSharding sharding = ClusterSharding.get(system);
    Optional<ReadJournal> readJournal = readJournal(system, settings);
    if (readJournal.isEmpty()) {
      log.warn(
          "no read journal for the journal plugin in use (set helix.stream.read-journal): streams"
              + " keep all their chunks in memory while active, and ended streams are not deleted");
    }
    readJournal
        .filter(journal -> journal instanceof CurrentEventsByTagQuery)
        .ifPresent(
            journal ->
                ClusterSingleton.get(system)
                    .init(
                        SingletonActor.of(
                            Behaviors.supervise(
                                    StreamRetention.create(
                                        sharding, settings, (CurrentEventsByTagQuery) journal))
                                .onFailure(SupervisorStrategy.restart()),
                            "helix-stream-retention")));
    return new Streams(sharding, settings, readJournal);
  }

  /** The read journal of {@code helix.stream.read-journal}, if the journal in use has one. */
  static Optional<ReadJournal> readJournal(ActorSystem<?> system, StreamSettings settings) {
    return settings
        .readJournal()
        .map(
            id ->
                PersistenceQuery.get(Adapter.toClassic(system))
                    .getReadJournalFor(ReadJournal.class, id));
  }

  /** The query that reads a stream's events, if the read journal has it. */
  static Optional<CurrentEventsByPersistenceIdQuery> eventsByPersistenceId(
      Optional<ReadJournal> readJournal) {
    return readJournal
        .filter(journal -> journal instanceof CurrentEventsByPersistenceIdQuery)
        .map(journal -> (CurrentEventsByPersistenceIdQuery) journal);
  }

  public StreamSettings settings() {
    return settings;
  }

  /**
   * The chunks of stream {@code streamId} from {@code fromOffset} on: first those stored (from
   * memory or the journal), then live ones, each once and in order with no gap, also across a move
   * or crash of the stream's entity; completes when the stream ends. It fails with {@link
   * SubscriberTooSlowException} when downstream falls more than {@code
   * helix.stream.subscriber-buffer} chunks behind (resume from its offset), with {@link
   * StreamUnavailableException} when this node stops (resume elsewhere), and with {@link
   * StreamDeletedException} for a stream deleted after its retention.
   */
  public Source<StreamChunk, NotUsed> subscribe(String streamId, long fromOffset) {
    return Source.fromGraph(
        new StreamSubscription(
            streamId,
            fromOffset,
            sharding.entityRefFor(StreamEntity.TYPE_KEY, streamId),
            settings,
            eventsByPersistenceId(readJournal)));
  }

  /** The stream as it is now; an unknown id answers an empty one ({@link StreamStatus#exists}). */
  public CompletionStage<StreamStatus> status(String streamId) {
    return sharding
        .entityRefFor(StreamEntity.TYPE_KEY, streamId)
        .ask(StreamCommand.GetStatus::new, askTimeout);
  }

  /** Appends chunks (offsets unassigned); with {@code end} the stream then ends. */
  public void append(String streamId, List<StreamChunk> chunks, boolean end) {
    sharding
        .entityRefFor(StreamEntity.TYPE_KEY, streamId)
        .tell(new StreamCommand.Append(List.copyOf(chunks), end));
  }
}
