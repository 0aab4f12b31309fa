package io.helix.server;

import ch.qos.logback.classic.LoggerContext;
import com.typesafe.config.ConfigFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a Helix node: {@code java -jar agents/target/helix-server.jar}. */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    try {
      HelixServer.start(ConfigFactory.load());
    } catch (Exception | LinkageError e) {
      log.error("Helix server failed to start: {}", e.getMessage(), e);
      // the log is asynchronous: flush it, so the reason is seen before the process ends
      if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
        logback.stop();
      }
      System.exit(1);
    }
  }
}
