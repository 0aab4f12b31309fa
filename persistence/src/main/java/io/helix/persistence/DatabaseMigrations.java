package io.helix.persistence;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates and upgrades the schema (journal, snapshots, durable state, the read model's tables and
 * its projection offsets) at start-up, before the journal is used. Tests run the same migrations.
 */
public final class DatabaseMigrations {

  private DatabaseMigrations() {}

  /** Applies the pending migrations of the settings' dialect; answers how many ran. */
  public static int migrate(DatabaseSettings settings) {
    Flyway flyway =
        Flyway.configure()
            .dataSource(settings.url(), settings.user(), settings.password())
            .locations("classpath:db/migration/" + settings.dialect().migrations)
            .load();
    MigrateResult result = flyway.migrate();
    return result.migrationsExecuted;
  }
}
