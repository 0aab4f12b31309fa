package io.helix.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentRegistry;
import io.helix.model.ModelCatalog;
import io.helix.runtime.HelixRuntime;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;

/**
 * A one-node runtime for tests: a real actor system and cluster (port 0, joined to itself), with
 * Pekko's in-memory journal. Tests of the SQL journal live in the persistence and server modules.
 */
public final class TestRuntime implements AutoCloseable {

  public final ActorTestKit testKit;
  public final AgentExecutor executor;

  private TestRuntime(ActorTestKit testKit, AgentExecutor executor) {
    this.testKit = testKit;
    this.executor = executor;
  }

  public static Config config(String extra) {
    return config(ConfigFactory.parseString(extra));
  }

  public static Config config(Config extra) {
    return extra
        .withFallback(
            ConfigFactory.parseString(
                """
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.loglevel = INFO
                pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
                pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
                pekko.actor.serialize-messages = off
                pekko.coordinated-shutdown.exit-jvm = off
                helix.run.passivate-finished-after = 2s
                """))
        .withFallback(PersistenceTestKitPlugin.getInstance().config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  public static TestRuntime start(AgentRegistry agents, ModelCatalog models) {
    return start(agents, models, "");
  }

  public static TestRuntime start(AgentRegistry agents, ModelCatalog models, String extraConfig) {
    return start(agents, models, config(extraConfig));
  }

  /** A runtime on exactly this configuration (see {@link #config}). */
  public static TestRuntime start(AgentRegistry agents, ModelCatalog models, Config config) {
    ActorTestKit testKit = ActorTestKit.create("helix-test", config);
    join(testKit.system(), testKit.system());
    return new TestRuntime(testKit, HelixRuntime.start(testKit.system(), agents, models));
  }

  /** Joins {@code node} to the cluster of {@code seed} (itself: a new cluster), until it is up. */
  public static void join(ActorSystem<?> node, ActorSystem<?> seed) {
    Cluster cluster = Cluster.get(node);
    cluster.manager().tell(new Join(Cluster.get(seed).selfMember().address()));
    awaitCondition(
        () -> cluster.selfMember().status() == MemberStatus.up(), Duration.ofSeconds(30));
  }

  /** Waits for a condition with a deadline; fails the test when the deadline passes. */
  /** How long {@link #await} waits for a stage before the test fails. */
  public static final Duration AWAIT = Duration.ofSeconds(30);

  /** The stage's value, failing the test when it fails or takes longer than {@link #AWAIT}. */
  public static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  public static void awaitCondition(BooleanSupplier condition, Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + deadline);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  @Override
  public void close() {
    testKit.shutdownTestKit();
  }
}
