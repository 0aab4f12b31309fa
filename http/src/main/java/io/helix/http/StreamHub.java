package io.helix.http;

import io.helix.stream.StreamChunk;
import io.helix.stream.SubscriberTooSlowException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The local subscribers of one stream on this node, fed by one upstream subscription: each chunk
 * arrives once, is kept once (with its wire forms, each rendered once), and every member reads it
 * from here at its own pace.
 *
 * <p>The hub keeps the chunks from its slowest member's on, at most {@code capacity} (the {@code
 * helix.stream.subscriber-buffer}), at least the newest {@link #JOIN_WINDOW} for members to join
 * from; a member more than {@code capacity} behind the newest chunk is cut off with {@link
 * SubscriberTooSlowException} at its own offset, while the upstream and the other members go on. The upstream never waits for
 * a member: it is drained as it comes. When the upstream ends or fails, each member first reads the
 * chunks before that, then ends or fails the same way. When the last member leaves, the upstream
 * is cancelled and the hub closes; a closed hub takes no members.
 *
 * <p>All state is guarded by the hub's monitor; members are woken through their stage's async
 * callback, outside it.
 */
final class StreamHub {

  /** The newest chunks kept for members to join from, even when all members have them. */
  static final int JOIN_WINDOW = 64;

  private final String streamId;
  private final int capacity;
  private final RenderedChunk[] ring;
  private final LongAdder renders;
  private final Consumer<StreamHub> onClose;
  private final List<Member> members = new ArrayList<>();
  // the offsets kept: [first, next)
  private long first;
  private long next;
  private boolean closed;
  private boolean ended;
  private Throwable failure;
  private UniqueKillSwitch upstream;

  /**
   * A hub whose upstream will start at {@code from}; {@code onClose} runs once when it closes
   * (ended, failed, or left by its last member).
   */
  StreamHub(
      String streamId, long from, int capacity, LongAdder renders, Consumer<StreamHub> onClose) {
    this.streamId = streamId;
    this.capacity = capacity;
    this.ring = new RenderedChunk[capacity];
    this.renders = renders;
    this.onClose = onClose;
    this.first = from;
    this.next = from;
  }

  String streamId() {
    return streamId;
  }

  /** Runs the upstream (the stream's chunks from the hub's first offset on, each once). */
  void start(Source<StreamChunk, NotUsed> chunks, Materializer materializer) {
    synchronized (this) {
      if (closed) {
        return;
      }
      var running =
          chunks
              .viaMat(KillSwitches.single(), Keep.right())
              .toMat(Sink.foreach(this::onChunk), Keep.both())
              .run(materializer);
      upstream = running.first();
      running.second().whenComplete((done, error) -> onEnd(error));
    }
  }

  /**
   * A member reading from {@code offset}, or null when this hub cannot serve it: closed, or the
   * offset not kept here.
   */
  synchronized Source<RenderedChunk, NotUsed> join(long offset) {
    if (closed || offset < first || offset > next) {
      return null;
    }
    Member member = new Member(offset);
    members.add(member);
    return Source.fromGraph(member);
  }

  synchronized boolean isClosed() {
    return closed;
  }

  synchronized int members() {
    return members.size();
  }

  private void onChunk(StreamChunk chunk) {
    List<Member> woken = new ArrayList<>();
    synchronized (this) {
      if (chunk.seq() != next) {
        // the upstream delivers each offset once, in order, from the hub's first
        return;
      }
      ring[(int) (next % capacity)] = new RenderedChunk(chunk, renders);
      next++;
      long slowest = next;
      for (Member member : members) {
        slowest = Math.min(slowest, member.position);
        if (member.waiting || next - member.position > capacity) {
          member.waiting = false;
          woken.add(member);
        }
      }
      // the slot of the offset capacity before this one now holds this one
      first = Math.max(first, next - capacity);
      forgetBefore(Math.min(slowest, next - JOIN_WINDOW));
    }
    woken.forEach(Member::wake);
  }

  /** Lets go of the chunks before {@code offset}: no member needs them, nor will one joining. */
  private void forgetBefore(long offset) {
    for (; first < offset; first++) {
      ring[(int) (first % capacity)] = null;
    }
  }

  private void onEnd(Throwable error) {
    List<Member> woken;
    synchronized (this) {
      ended = error == null;
      failure = error;
      woken = List.copyOf(members);
      close();
    }
    woken.forEach(Member::wake);
  }

  private void leave(Member member) {
    synchronized (this) {
      members.remove(member);
      if (!members.isEmpty() || closed) {
        return;
      }
      close();
      if (upstream != null) {
        upstream.shutdown();
      }
    }
  }

  private void close() {
    if (!closed) {
      closed = true;
      onClose.accept(this);
    }
  }

  /**
   * What a member at its position gets now: the next chunk (when {@code demand}), a terminal
   * signal, or null (then, with demand, it is woken by the next chunk).
   */
  private synchronized Object poll(Member member, boolean demand) {
    long position = member.position;
    if (position < first || next - position > capacity) {
      return new SubscriberTooSlowException(streamId, position, capacity);
    }
    if (!demand) {
      return null;
    }
    if (position < next) {
      member.position++;
      return ring[(int) (position % capacity)];
    }
    if (ended) {
      return Done.getInstance();
    }
    if (failure != null) {
      return failure;
    }
    member.waiting = true;
    return null;
  }

  /** One local subscriber: a source of the hub's chunks from its offset. */
  private final class Member extends GraphStage<SourceShape<RenderedChunk>> {

    private final Outlet<RenderedChunk> out = Outlet.create("StreamHub.member");
    private final SourceShape<RenderedChunk> shape = SourceShape.of(out);
    // guarded by the hub
    private long position;
    private boolean waiting;
    private volatile AsyncCallback<Done> wakeUp;

    Member(long position) {
      this.position = position;
    }

    void wake() {
      AsyncCallback<Done> callback = wakeUp;
      if (callback != null) {
        callback.invoke(Done.getInstance());
      }
    }

    @Override
    public SourceShape<RenderedChunk> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      return new GraphStageLogic(shape) {
        {
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
          wakeUp = createAsyncCallback(done -> deliver());
          deliver();
        }

        @Override
        public void postStop() {
          leave(Member.this);
        }

        private void deliver() {
          Object next = poll(Member.this, isAvailable(out));
          if (next instanceof RenderedChunk chunk) {
            push(out, chunk);
          } else if (next instanceof Done) {
            completeStage();
          } else if (next instanceof Throwable error) {
            failStage(error);
          }
        }
      };
    }
  }
}
