package io.helix.stream;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import scala.Tuple2;
import scala.runtime.BoxedUnit;

/**
 * A subscriber of one {@link StreamEntity} as a source of chunks: exactly the chunks from its start
 * offset on, each once and in order, until the stream ends.
 *
 * <p>It keeps its own next offset and is the one to enforce exactness: it drops chunks it already
 * has, and subscribes again from its next offset whenever something went wrong on the way: a gap
 * (a message lost between nodes), the entity stopping (hand-off, rebalance, crash: it watches the
 * entity), or no answer. Chunks older than the entity keeps in memory are read from the journal,
 * at the pace of downstream, before it subscribes again; the entity's offset index says where in
 * the journal to start.
 *
 * <p>Live chunks are pushed, not pulled: a buffer of {@code subscriber-buffer} chunks absorbs a
 * slow downstream, and when it overflows the source fails with {@link SubscriberTooSlowException}
 * naming the offset to resume from. The writer and the other subscribers never wait.
 */
final class StreamSubscription extends GraphStage<SourceShape<StreamChunk>> {

  private static final String SUBSCRIBE_TIMEOUT = "subscribe-timeout";
  private static final String RETRY = "retry";
  // a moved entity is found again through its shard, which may need a moment to notice
  private static final Duration RETRY_DELAY = Duration.ofMillis(100);
  private static final int MAX_BARREN_CATCH_UPS = 3;

  private enum Mode {
    SUBSCRIBING,
    LIVE,
    CATCHING_UP,
    WAITING,
    ENDED
  }

  private final Outlet<StreamChunk> out = Outlet.create("StreamSubscription.out");
  private final SourceShape<StreamChunk> shape = SourceShape.of(out);
  private final String streamId;
  private final long fromOffset;
  private final EntityRef<StreamCommand> stream;
  private final StreamSettings settings;
  private final Optional<CurrentEventsByPersistenceIdQuery> journal;

  StreamSubscription(
      String streamId,
      long fromOffset,
      EntityRef<StreamCommand> stream,
      StreamSettings settings,
      Optional<CurrentEventsByPersistenceIdQuery> journal) {
    this.streamId = streamId;
    this.fromOffset = Math.max(0, fromOffset);
    this.stream = stream;
    this.settings = settings;
    this.journal = journal;
  }

  @Override
  public SourceShape<StreamChunk> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new Logic();
  }

  private final class Logic extends TimerGraphStageLogic {

    private final ArrayDeque<StreamChunk> buffer = new ArrayDeque<>();
    private final int capacity = settings.subscriberBuffer();
    // the offset of the next chunk to accept (one past the last buffered or emitted)
    private long expected = fromOffset;
    private long subscription;
    private Mode mode = Mode.WAITING;
    private StageActor actor;
    private ActorRef<StreamUpdate> self;
    private org.apache.pekko.actor.ActorRef watched;

    private AsyncCallback<Pair<Optional<EventEnvelope>, Throwable>> onJournal;
    private SinkQueueWithCancel<EventEnvelope> catchUp;
    private boolean catchUpPulling;
    private boolean catchUpDone;
    private long catchUpFrom;
    private int barrenCatchUps;

    Logic() {
      super(shape);
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              deliver();
            }
          });
    }

    @Override
    public void preStart() {
      actor = getStageActor(this::onMessage);
      self = Adapter.toTyped(actor.ref());
      onJournal = createAsyncCallback(this::onJournalElement);
      subscribe();
    }

    @Override
    public void postStop() {
      if (catchUp != null) {
        catchUp.cancel();
      }
      if (self != null && (mode == Mode.LIVE || mode == Mode.SUBSCRIBING)) {
        stream.tell(new StreamCommand.Unsubscribe(self));
      }
    }

    // ---- subscribing

    private void subscribe() {
      if (CoordinatedShutdown.get(materializer().system()).getShutdownReason().isPresent()) {
        // this node is stopping: its shard regions no longer deliver; resume on another node
        failStage(new StreamUnavailableException(streamId, expected));
        return;
      }
      subscription++;
      mode = Mode.SUBSCRIBING;
      stream.tell(new StreamCommand.Subscribe(expected, self, subscription));
      scheduleOnce(SUBSCRIBE_TIMEOUT, settings.subscribeTimeout());
    }

    /** Subscribes again from the next offset, after a short pause. */
    private void resubscribeSoon() {
      unwatch();
      cancelTimer(SUBSCRIBE_TIMEOUT);
      mode = Mode.WAITING;
      scheduleOnce(RETRY, RETRY_DELAY);
    }

    @Override
    public void onTimer(Object key) {
      if ((SUBSCRIBE_TIMEOUT.equals(key) && mode == Mode.SUBSCRIBING)
          || (RETRY.equals(key) && mode == Mode.WAITING)) {
        subscribe();
      }
    }

    private void watch(ActorRef<StreamCommand> entity) {
      unwatch();
      watched = Adapter.toClassic(entity);
      actor.watch(watched);
    }

    private void unwatch() {
      if (watched != null) {
        actor.unwatch(watched);
        watched = null;
      }
    }

    private BoxedUnit onMessage(Tuple2<org.apache.pekko.actor.ActorRef, Object> envelope) {
      Object message = envelope._2();
      if (message instanceof Terminated terminated) {
        if (terminated.actor().equals(watched)) {
          // the entity moved or crashed: find it again, from where we are
          watched = null;
          if (mode == Mode.LIVE || mode == Mode.SUBSCRIBING) {
            resubscribeSoon();
          }
        }
      } else if (message instanceof StreamUpdate update && update.subscription() == subscription) {
        onUpdate(update);
      }
      return BoxedUnit.UNIT;
    }

    private void onUpdate(StreamUpdate update) {
      if (update instanceof StreamUpdate.Live live && mode == Mode.SUBSCRIBING) {
        cancelTimer(SUBSCRIBE_TIMEOUT);
        mode = Mode.LIVE;
        watch(live.stream());
        // the stored chunks do not count against the buffer: they were asked for
        accept(live.stored(), false);
      } else if (update instanceof StreamUpdate.Chunks chunks && mode == Mode.LIVE) {
        accept(chunks.chunks(), true);
      } else if (update instanceof StreamUpdate.Ended ended && mode == Mode.LIVE) {
        unwatch();
        if (expected >= ended.nextOffset()) {
          mode = Mode.ENDED;
          deliver();
        } else {
          // chunks before the end were lost on the way
          resubscribeSoon();
        }
      } else if (update instanceof StreamUpdate.CatchUp catchUpFromJournal
          && mode == Mode.SUBSCRIBING) {
        cancelTimer(SUBSCRIBE_TIMEOUT);
        startCatchUp(catchUpFromJournal.fromSequenceNr());
      } else if (update instanceof StreamUpdate.Deleted deleted) {
        failStage(new StreamDeletedException(streamId, deleted.endedAt(), deleted.deletedAt()));
      }
    }

    /** Buffers the chunks from the expected offset on; a gap means something was lost. */
    private void accept(List<StreamChunk> chunks, boolean pushed) {
      for (StreamChunk chunk : chunks) {
        if (chunk.seq() < expected) {
          continue;
        }
        if (chunk.seq() > expected) {
          if (mode == Mode.CATCHING_UP) {
            failStage(
                new IllegalStateException(
                    "stream '" + streamId + "': the journal lacks chunks " + expected + " to "
                        + (chunk.seq() - 1)));
            return;
          }
          resubscribeSoon();
          break;
        }
        buffer.addLast(chunk);
        expected++;
      }
      if (pushed && buffer.size() > capacity) {
        failStage(new SubscriberTooSlowException(streamId, buffer.peekFirst().seq(), capacity));
        return;
      }
      deliver();
    }

    private void deliver() {
      if (isAvailable(out) && !buffer.isEmpty()) {
        push(out, buffer.pollFirst());
      }
      if (buffer.isEmpty() && mode == Mode.ENDED) {
        completeStage();
      } else if (mode == Mode.CATCHING_UP) {
        pumpCatchUp();
      }
    }

    // ---- catching up from the journal

    private void startCatchUp(long fromSequenceNr) {
      if (journal.isEmpty()) {
        failStage(
            new IllegalStateException(
                "stream '"
                    + streamId
                    + "': older chunks need a read journal (helix.stream.read-journal)"));
        return;
      }
      mode = Mode.CATCHING_UP;
      catchUpFrom = expected;
      catchUpDone = false;
      catchUpPulling = false;
      catchUp =
          journal
              .get()
              .currentEventsByPersistenceId(
                  StreamEntity.persistenceId(streamId), fromSequenceNr, Long.MAX_VALUE)
              .runWith(Sink.queue(), materializer());
      pumpCatchUp();
    }

    /** Pulls the journal while there is room; subscribes again once it is read and room is made. */
    private void pumpCatchUp() {
      if (catchUpDone) {
        if (buffer.size() <= capacity / 2) {
          finishCatchUp();
        }
      } else if (!catchUpPulling && buffer.size() < capacity) {
        catchUpPulling = true;
        SinkQueueWithCancel<EventEnvelope> queue = catchUp;
        queue
            .pull()
            .whenComplete(
                (element, error) -> onJournal.invoke(Pair.create(element, error)));
      }
    }

    private void onJournalElement(Pair<Optional<EventEnvelope>, Throwable> result) {
      catchUpPulling = false;
      if (mode != Mode.CATCHING_UP) {
        return;
      }
      if (result.second() != null) {
        failStage(
            new IllegalStateException(
                "stream '" + streamId + "': reading the journal failed", result.second()));
      } else if (result.first().isEmpty()) {
        catchUpDone = true;
        pumpCatchUp();
      } else if (result.first().get().event() instanceof StreamEvent.ChunksAppended appended) {
        accept(appended.chunks(), false);
      } else {
        pumpCatchUp();
      }
    }

    private void finishCatchUp() {
      catchUp = null;
      barrenCatchUps = expected == catchUpFrom ? barrenCatchUps + 1 : 0;
      if (barrenCatchUps >= MAX_BARREN_CATCH_UPS) {
        failStage(
            new IllegalStateException(
                "stream '" + streamId + "': the journal holds no chunks from " + expected));
        return;
      }
      subscribe();
    }
  }
}
