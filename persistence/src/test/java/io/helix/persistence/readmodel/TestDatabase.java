package io.helix.persistence.readmodel;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.helix.persistence.DatabaseMigrations;
import io.helix.persistence.DatabaseSettings;
import io.helix.testkit.TestRuntime;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/** A fresh, migrated database for one test, and the node configuration that uses it. */
public record TestDatabase(Config database) {

  /** An embedded H2 file in a new temporary directory. */
  public static TestDatabase h2() throws Exception {
    Path dir = Files.createTempDirectory("helix-read-model");
    return migrated(
        ConfigFactory.parseMap(Map.of("helix.data-dir", dir.toAbsolutePath().toString())));
  }

  /** A new database on a PostgreSQL server, created through {@code adminUrl}. */
  static TestDatabase postgres(String adminUrl, String user, String password) throws Exception {
    String name = "helix_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection admin = DriverManager.getConnection(adminUrl, user, password);
        Statement s = admin.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return migrated(
        ConfigFactory.parseMap(
            Map.of(
                "helix.db.url", withDatabase(adminUrl, name),
                "helix.db.user", user,
                "helix.db.password", password)));
  }

  /** A new database on an embedded PostgreSQL server. */
  static TestDatabase postgres(EmbeddedPostgres server) throws Exception {
    return postgres(
        "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres", "postgres", "postgres");
  }

  /** {@code jdbc:postgresql://host:port/db?query} with another database. */
  static String withDatabase(String url, String database) {
    int query = url.indexOf('?');
    String base = query < 0 ? url : url.substring(0, query);
    String rest = query < 0 ? "" : url.substring(query);
    int slash = base.indexOf('/', "jdbc:postgresql://".length());
    return (slash < 0 ? base : base.substring(0, slash)) + "/" + database + rest;
  }

  private static TestDatabase migrated(Config database) {
    TestDatabase db = new TestDatabase(database);
    DatabaseMigrations.migrate(db.settings());
    return db;
  }

  /** The configuration of a node on this database, with quick polling for tests. */
  public Config nodeConfig() {
    return DatabaseSettings.withJournal(
        TestRuntime.config(
            database.withFallback(
                ConfigFactory.parseString(
                    """
                    pekko.persistence.journal.plugin = "jdbc-journal"
                    pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
                    jdbc-read-journal.refresh-interval = 100ms
                    jdbc-read-journal.journal-sequence-retrieval.query-delay = 100ms
                    helix.read-model.group-max-events = 10
                    helix.read-model.restart-backoff.min = 200ms
                    helix.read-model.restart-backoff.max = 1s
                    # a node stopped seconds after its start can wait the Run region's graceful
                    # shutdown out (10 s) before it terminates
                    pekko.actor.testkit.typed.system-shutdown-default = 60s
                    """))));
  }

  public DatabaseSettings settings() {
    return DatabaseSettings.fromConfig(nodeConfig());
  }

  public Connection connect() throws Exception {
    DatabaseSettings settings = settings();
    return DriverManager.getConnection(settings.url(), settings.user(), settings.password());
  }
}
