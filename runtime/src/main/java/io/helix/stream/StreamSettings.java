package io.helix.stream;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;

/**
 * Settings of the streams, from {@code helix.stream} (see the runtime's {@code reference.conf} for
 * what each one means and its default).
 *
 * @param idleTimeout how long a stream without subscribers and appends stays in memory
 * @param endedIdleTimeout the same for an ended stream, which nobody appends to any more
 * @param subscriberBuffer chunks buffered per subscriber before it is disconnected as too slow
 * @param tailSize chunks of each stream kept in memory for subscribers that join late
 * @param snapshotEvery a snapshot of a stream's (small) state every this many journal events
 * @param retention how long an ended stream is kept before its chunks are deleted
 * @param retentionSweepInterval how often the cluster looks for ended streams past retention
 * @param readJournal the persistence-query plugin that reads older chunks; empty when the journal
 *     has none, in which case every chunk of a stream in memory stays there and nothing expires
 * @param subscribeTimeout how long a subscriber waits for the stream to answer before asking again
 * @param persistFailureBackoff how long a stream whose journal write failed waits before it
 *     restarts
 * @param unwatchedWindow how long a stream without subscribers holds its appends to write them
 *     together (zero: each append is written at once)
 * @param unwatchedMaxChunks the most chunks it holds before writing them
 */
public record StreamSettings(
    Duration idleTimeout,
    Duration endedIdleTimeout,
    int subscriberBuffer,
    int tailSize,
    int snapshotEvery,
    Duration retention,
    Duration retentionSweepInterval,
    Optional<String> readJournal,
    Duration subscribeTimeout,
    Backoff persistFailureBackoff,
    Duration unwatchedWindow,
    int unwatchedMaxChunks) {

  static final String JDBC_JOURNAL = "jdbc-journal";
  static final String JDBC_READ_JOURNAL = "jdbc-read-journal";
  static final String TESTKIT_JOURNAL = "pekko.persistence.testkit.journal";
  static final String TESTKIT_READ_JOURNAL = "pekko.persistence.testkit.query";

  public StreamSettings {
    if (subscriberBuffer < 1 || tailSize < 1 || snapshotEvery < 1 || unwatchedMaxChunks < 1) {
      throw new IllegalArgumentException(
          "helix.stream: subscriber-buffer, tail-size, snapshot-every and"
              + " unwatched-coalescing.max-chunks must be positive");
    }
  }

  /** Reads {@code helix.stream} of an application's whole configuration. */
  public static StreamSettings fromConfig(Config config) {
    Config c = config.getConfig("helix.stream");
    return new StreamSettings(
        c.getDuration("idle-timeout"),
        c.getDuration("ended-idle-timeout"),
        c.getInt("subscriber-buffer"),
        c.getInt("tail-size"),
        c.getInt("snapshot-every"),
        c.getDuration("retention"),
        c.getDuration("retention-sweep-interval"),
        readJournal(config, c.getString("read-journal")),
        c.getDuration("subscribe-timeout"),
        Backoff.fromConfig(c.getConfig("persist-failure-backoff")),
        c.getDuration("unwatched-coalescing.window"),
        c.getInt("unwatched-coalescing.max-chunks"));
  }

  /**
   * An exponential backoff: from {@code minBackoff}, doubling up to {@code maxBackoff}, plus up to
   * {@code randomFactor} of it at random.
   */
  public record Backoff(Duration minBackoff, Duration maxBackoff, double randomFactor) {

    public Backoff {
      if (minBackoff.isNegative() || maxBackoff.compareTo(minBackoff) < 0 || randomFactor < 0) {
        throw new IllegalArgumentException(
            "a backoff needs 0 <= min-backoff <= max-backoff and random-factor >= 0");
      }
    }

    static Backoff fromConfig(Config c) {
      return new Backoff(
          c.getDuration("min-backoff"), c.getDuration("max-backoff"), c.getDouble("random-factor"));
    }

    /** A restart after each failure, with this backoff. */
    public BackoffSupervisorStrategy restart() {
      return SupervisorStrategy.restartWithBackoff(minBackoff, maxBackoff, randomFactor);
    }
  }

  /** The configured read journal, or the one that goes with the journal plugin in use. */
  private static Optional<String> readJournal(Config config, String configured) {
    if (!configured.isBlank()) {
      return Optional.of(configured);
    }
    String journal = config.getString("pekko.persistence.journal.plugin");
    return switch (journal) {
      case JDBC_JOURNAL -> Optional.of(JDBC_READ_JOURNAL);
      case TESTKIT_JOURNAL -> Optional.of(TESTKIT_READ_JOURNAL);
      default -> Optional.empty();
    };
  }

  /** The tail bound in force: without a read journal, memory is the only copy readers can reach. */
  int effectiveTailSize() {
    return readJournal.isPresent() ? tailSize : Integer.MAX_VALUE;
  }
}
