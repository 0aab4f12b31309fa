package io.helix.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A process killed with SIGKILL right after its commits keeps every commit it was told succeeded,
 * on the embedded H2 file as {@link DatabaseSettings} configures it.
 */
class H2ProcessCrashTest {

  static final int COMMITS = 200;

  /** The child: commits {@link #COMMITS} rows one by one, says so, then waits to be killed. */
  public static void main(String[] args) throws Exception {
    DatabaseSettings settings = settings(Path.of(args[0]));
    try (Connection c = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
      c.createStatement().execute("CREATE TABLE acknowledged (id INT PRIMARY KEY)");
      c.setAutoCommit(false);
      for (int i = 0; i < COMMITS; i++) {
        c.createStatement().execute("INSERT INTO acknowledged VALUES (" + i + ")");
        c.commit();
      }
      System.out.println("committed " + COMMITS);
      System.out.flush();
      new java.util.concurrent.CountDownLatch(1).await();
    }
  }

  private static DatabaseSettings settings(Path dataDir) {
    return DatabaseSettings.fromConfig(
        ConfigFactory.parseString(
                // the embedded H2 file, whatever HELIX_DB_URL says
                "helix.db.url = \"\"\nhelix.data-dir = \"" + dataDir.toAbsolutePath() + "\"")
            .withFallback(ConfigFactory.load()));
  }

  @Test
  void everyAcknowledgedCommitSurvivesKill9() throws Exception {
    Path dataDir = Files.createTempDirectory("helix-h2-kill");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        cleanEnvironment(
                new ProcessBuilder(
                    List.of(java, "-cp", System.getProperty("java.class.path"),
                        H2ProcessCrashTest.class.getName(), dataDir.toString())))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      CompletableFuture<String> firstLine =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return out.readLine();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      assertEquals("committed " + COMMITS, firstLine.get(60, TimeUnit.SECONDS));
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no close of the database
      child.waitFor(30, TimeUnit.SECONDS);
    }
    DatabaseSettings settings = settings(dataDir);
    try (Connection c = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
        ResultSet count = c.createStatement().executeQuery("SELECT COUNT(*) FROM acknowledged")) {
      count.next();
      assertEquals(COMMITS, count.getInt(1), "commits acknowledged before the kill");
    }
  }

  /** The child gets none of this machine's settings ({@code HELIX_*}, keys): PATH and HOME only. */
  private static ProcessBuilder cleanEnvironment(ProcessBuilder builder) {
    String path = System.getenv("PATH");
    String home = System.getenv("HOME");
    builder.environment().clear();
    if (path != null) {
      builder.environment().put("PATH", path);
    }
    if (home != null) {
      builder.environment().put("HOME", home);
    }
    return builder;
  }
}
