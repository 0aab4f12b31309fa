package io.helix.persistence.readmodel;

import com.typesafe.config.Config;
import io.helix.run.RunSettings;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/** Settings of the read model, from {@code helix.read-model}; documented in reference.conf. */
record ReadModelSettings(
    int maxConnections,
    int groupMaxEvents,
    Duration groupMaxWait,
    Duration restartMinBackoff,
    Duration restartMaxBackoff,
    double restartRandomFactor,
    int maxPageSize,
    int eventTags,
    Duration erasureProjectionWait) {

  /** Where the projections' and queries' JDBC work runs. */
  static final String DISPATCHER = "helix.read-model.jdbc-dispatcher";

  static ReadModelSettings fromConfig(Config config) {
    Config c = config.getConfig("helix.read-model");
    return new ReadModelSettings(
        c.getInt("max-connections"),
        c.getInt("group-max-events"),
        c.getDuration("group-max-wait"),
        c.getDuration("restart-backoff.min"),
        c.getDuration("restart-backoff.max"),
        c.getDouble("restart-backoff.random-factor"),
        c.getInt("max-page-size"),
        RunSettings.fromConfig(config.getConfig("helix")).eventTags(),
        c.getDuration("erasure-projection-wait"));
  }

  /** The tags of the run events, one projection each: {@code run-0 .. run-(n-1)}. */
  List<String> tags() {
    return IntStream.range(0, eventTags).mapToObj(i -> RunSettings.TAG_PREFIX + i).toList();
  }
}
