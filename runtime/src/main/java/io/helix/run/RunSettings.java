package io.helix.run;

import com.typesafe.config.Config;
import io.helix.agent.AgentDefinition;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;

/**
 * Settings of {@link RunEntity}, from {@code helix.run}; documented in the runtime's {@code
 * reference.conf}.
 */
public record RunSettings(
    Duration modelTimeout,
    Duration toolTimeout,
    int modelMaxAttempts,
    Duration modelMinBackoff,
    Duration modelMaxBackoff,
    double modelBackoffRandomFactor,
    Duration chunkWindow,
    int chunkBatchMax,
    Duration passivateFinishedAfter,
    int snapshotEvery,
    Duration subAgentAskTimeout,
    Duration subAgentAwaitSlice,
    int subAgentStartAttempts,
    Duration handOffWait,
    int eventTags,
    Duration approvalTimeout,
    long maxTokens,
    ChunkHandOff handOff,
    int maxRecoveryFailures) {

  /**
   * The hand-off of chunks to the stream ({@code helix.run.chunk-hand-off}): an unacknowledged
   * append is re-sent after {@code resendMinBackoff}, doubling up to {@code resendMaxBackoff};
   * while the stream takes nothing, at most {@code maxPending} chunks wait (beyond, chunks that
   * cannot be derived from the journal again are dropped).
   */
  public record ChunkHandOff(Duration resendMinBackoff, Duration resendMaxBackoff, int maxPending) {

    static ChunkHandOff fromConfig(Config c) {
      return new ChunkHandOff(
          c.getDuration("resend-min-backoff"), c.getDuration("resend-max-backoff"),
          c.getInt("max-pending"));
    }

    /** The wait before re-send {@code attempt} + 1. */
    Duration backoff(int attempt) {
      long millis = resendMinBackoff.toMillis() << Math.min(attempt, 20);
      return Duration.ofMillis(Math.min(millis, resendMaxBackoff.toMillis()));
    }
  }

  public static RunSettings fromConfig(Config helix) {
    Config c = helix.getConfig("run");
    return new RunSettings(
        c.getDuration("model-timeout"),
        c.getDuration("tool-timeout"),
        c.getInt("model-retry.max-attempts"),
        c.getDuration("model-retry.min-backoff"),
        c.getDuration("model-retry.max-backoff"),
        c.getDouble("model-retry.random-factor"),
        c.getDuration("chunk-coalescing.window"),
        c.getInt("chunk-coalescing.max-chunks"),
        c.getDuration("passivate-finished-after"),
        c.getInt("snapshot-every"),
        c.getDuration("sub-agent.ask-timeout"),
        c.getDuration("sub-agent.await-slice"),
        c.getInt("sub-agent.start-attempts"),
        c.getDuration("hand-off-wait"),
        c.getInt("event-tags"),
        c.getDuration("approval-timeout"),
        c.getLong("max-tokens"),
        ChunkHandOff.fromConfig(c.getConfig("chunk-hand-off")),
        c.getInt("max-recovery-failures"));
  }

  /**
   * The token budget of a run of {@code agent}: its own {@code maxTokens}, else {@code
   * helix.run.max-tokens}; 0 for no limit.
   */
  public long tokenBudget(Optional<AgentDefinition> agent) {
    long own = agent.map(AgentDefinition::maxTokens).orElse(0L);
    return own > 0 ? own : Math.max(0, maxTokens);
  }

  /** Whether a pending approval expires ({@code helix.run.approval-timeout} above zero). */
  public boolean approvalsExpire() {
    return approvalTimeout != null && approvalTimeout.compareTo(Duration.ZERO) > 0;
  }

  /** The tag of a run's events: runs are spread over {@code eventTags} tags by id. */
  public String tagOf(String runId) {
    return TAG_PREFIX + Math.floorMod(runId.hashCode(), eventTags);
  }

  public static final String TAG_PREFIX = "run-";

  /** The delay before retry {@code attempt} (the first retry is attempt 2). */
  Duration backoff(int attempt, double random) {
    double base = modelMinBackoff.toMillis() * Math.pow(2, Math.max(0, attempt - 2));
    double capped = Math.min(base, modelMaxBackoff.toMillis());
    return Duration.ofMillis((long) (capped * (1 + modelBackoffRandomFactor * random)));
  }

  /**
   * How fast a shard restarts its remembered runs (a node taking over a failed one's shards, a
   * full restart): a constant rate, so thousands of runs do not call their models at once.
   */
  static ClusterShardingSettings.TuningParameters recoveryRate(
      ClusterShardingSettings.TuningParameters tuning, com.typesafe.config.Config recovery) {
    int runs = recovery.getInt("runs-per-interval");
    return runs <= 0
        ? tuning.withEntityRecoveryStrategy("all")
        : tuning
            .withEntityRecoveryStrategy("constant")
            .withEntityRecoveryConstantRateStrategyFrequency(recovery.getDuration("interval"))
            .withEntityRecoveryConstantRateStrategyNumberOfEntities(runs);
  }
}
