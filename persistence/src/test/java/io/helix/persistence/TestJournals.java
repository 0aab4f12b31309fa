package io.helix.persistence;

import com.typesafe.config.Config;
import io.helix.testkit.TestRuntime;
import java.nio.file.Path;

/** Test configurations on the real JDBC journal. */
public final class TestJournals {

  private TestJournals() {}

  /**
   * A test runtime's configuration (see {@link TestRuntime#config}) on the JDBC journal in an
   * embedded H2 database under {@code dir}, migrated; {@code extra} HOCON comes first.
   */
  public static Config h2(Path dir, String extra) {
    Config config =
        DatabaseSettings.withJournal(
            TestRuntime.config(
                extra
                    + """

                    helix.data-dir = "%s"
                    pekko.persistence.journal.plugin = "jdbc-journal"
                    pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
                    """
                        .formatted(dir.toAbsolutePath())));
    DatabaseMigrations.migrate(DatabaseSettings.fromConfig(config));
    return config;
  }
}
