package io.helix.runtime;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Settings of the executor, from {@code helix.executor}.
 *
 * @param askTimeout how long a question to a run may take
 * @param awaitSlice how long one wait for a result lasts before it is asked again (so a run that
 *     moves to another node is followed)
 */
record ExecutorSettings(Duration askTimeout, Duration awaitSlice, Pattern runIdPattern) {

  static ExecutorSettings fromConfig(Config helix) {
    Config c = helix.getConfig("executor");
    return new ExecutorSettings(
        c.getDuration("ask-timeout"),
        c.getDuration("await-slice"),
        Pattern.compile(c.getString("run-id-pattern")));
  }
}
