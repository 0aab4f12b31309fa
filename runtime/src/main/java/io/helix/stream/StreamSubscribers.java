package io.helix.stream;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The live subscribers of one {@link StreamEntity}, each with its subscription and the next offset
 * it has not been sent. They are connections, not state: after a move of the entity they subscribe
 * again with their offset. Each is watched, and dropped when it stops. Mutable, owned by the
 * entity.
 */
final class StreamSubscribers {

  /** A live subscriber: its subscription and the next offset it has not been sent. */
  private static final class Subscriber {
    final long subscription;
    long next;

    Subscriber(long subscription, long next) {
      this.subscription = subscription;
      this.next = next;
    }
  }

  private final ActorContext<StreamCommand> context;
  private final Map<ActorRef<StreamUpdate>, Subscriber> subscribers = new HashMap<>();

  StreamSubscribers(ActorContext<StreamCommand> context) {
    this.context = context;
  }

  int size() {
    return subscribers.size();
  }

  boolean isEmpty() {
    return subscribers.isEmpty();
  }

  /**
   * Adds a subscriber, or replaces its earlier subscription, to be sent what is appended from
   * {@code next} on; whether it is a new one.
   */
  boolean put(ActorRef<StreamUpdate> subscriber, long subscription, long next) {
    if (subscribers.put(subscriber, new Subscriber(subscription, next)) != null) {
      return false;
    }
    context.watchWith(subscriber, new StreamCommand.Unsubscribe(subscriber));
    return true;
  }

  /** Drops a subscriber; whether it was one. */
  boolean remove(ActorRef<StreamUpdate> subscriber) {
    if (subscribers.remove(subscriber) == null) {
      return false;
    }
    context.unwatch(subscriber);
    return true;
  }

  /**
   * Sends what became durable, {@code fresh} (offsets ascending, ending before {@code nextOffset}),
   * to every subscriber, each from its own next offset.
   */
  void publish(List<StreamChunk> fresh, long nextOffset) {
    if (fresh.isEmpty()) {
      return;
    }
    long first = fresh.get(0).seq();
    for (Map.Entry<ActorRef<StreamUpdate>, Subscriber> entry : subscribers.entrySet()) {
      Subscriber subscriber = entry.getValue();
      if (subscriber.next < nextOffset) {
        // a subscriber that joined beyond the end gets nothing below its offset
        List<StreamChunk> part =
            subscriber.next <= first
                ? fresh
                : fresh.subList((int) (subscriber.next - first), fresh.size());
        entry.getKey().tell(new StreamUpdate.Chunks(subscriber.subscription, part));
        subscriber.next = nextOffset;
      }
    }
  }

  /** Tells every subscriber that the stream ended at {@code nextOffset}, and lets them all go. */
  void end(long nextOffset) {
    subscribers.forEach(
        (ref, subscriber) -> {
          ref.tell(new StreamUpdate.Ended(subscriber.subscription, nextOffset));
          context.unwatch(ref);
        });
    subscribers.clear();
  }
}
