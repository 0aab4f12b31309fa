package io.helix.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.junit.jupiter.api.Test;

class RunSettingsTest {

  @Test
  void rememberedRunsRestartAtAConstantRateUnlessTurnedOff() {
    ActorTestKit testKit = ActorTestKit.create("settings", TestRuntime.config(""));
    try {
      ClusterShardingSettings.TuningParameters tuning =
          ClusterShardingSettings.create(testKit.system()).tuningParameters();
      var defaults = testKit.system().settings().config().getConfig("helix.run.recovery");
      var constant = RunSettings.recoveryRate(tuning, defaults);
      assertEquals("constant", constant.entityRecoveryStrategy());
      assertEquals(10, constant.entityRecoveryConstantRateStrategyNumberOfEntities());
      assertEquals(
          Duration.ofMillis(100).toMillis(),
          constant.entityRecoveryConstantRateStrategyFrequency().toMillis());
      var all =
          RunSettings.recoveryRate(
              tuning, ConfigFactory.parseString("runs-per-interval = 0, interval = 1s"));
      assertEquals("all", all.entityRecoveryStrategy());
    } finally {
      testKit.shutdownTestKit();
    }
  }
}
