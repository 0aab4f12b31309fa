package io.helix.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The database of a node, from {@code helix.db}: the embedded H2 file by default, PostgreSQL when
 * the URL says so. The same code runs on both; only the dialect differs.
 */
public record DatabaseSettings(String url, String user, String password, int maxConnections) {

  /** A SQL dialect: its JDBC driver, Slick profile, projection dialect and migration folder. */
  public enum Dialect {
    H2("org.h2.Driver", "slick.jdbc.H2Profile$", "h2-dialect", "h2"),
    POSTGRESQL("org.postgresql.Driver", "slick.jdbc.PostgresProfile$", "postgres-dialect", "postgresql");

    final String driver;
    final String slickProfile;
    final String projectionDialect;
    final String migrations;

    Dialect(String driver, String slickProfile, String projectionDialect, String migrations) {
      this.driver = driver;
      this.slickProfile = slickProfile;
      this.projectionDialect = projectionDialect;
      this.migrations = migrations;
    }

    /** The JDBC driver's class name. */
    public String driverClassName() {
      return driver;
    }
  }

  /** An empty {@code helix.db.url} means the embedded H2 file in {@code helix.data-dir}. */
  public static DatabaseSettings fromConfig(Config config) {
    Config db = config.getConfig("helix.db");
    String url = db.getString("url");
    if (url.isBlank()) {
      Path dir = Path.of(config.getString("helix.data-dir")).toAbsolutePath().normalize();
      url = "jdbc:h2:file:" + dir.resolve("helix") + ";DB_CLOSE_ON_EXIT=FALSE";
    }
    return new DatabaseSettings(
        durableOnProcessCrash(url), db.getString("user"), db.getString("password"), db.getInt("max-connections"));
  }

  /**
   * H2 keeps committed transactions in memory for up to {@code WRITE_DELAY} (500 ms) before it
   * writes them, so a killed process loses acknowledged journal events; a delay of 0 writes at every
   * commit. A URL that sets the delay itself keeps it.
   */
  static String durableOnProcessCrash(String url) {
    boolean h2 = url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:mem:");
    if (!h2 || url.toUpperCase(java.util.Locale.ROOT).contains(";WRITE_DELAY=")) {
      return url;
    }
    return url + ";WRITE_DELAY=0";
  }

  /**
   * {@code config} with the journal and the read-model projections pointed at this database, and
   * the journal's write path chosen by {@code helix.db.journal}.
   */
  public static Config withJournal(Config config) {
    return fromConfig(config)
        .journalConfig()
        .withFallback(ConfigFactory.parseMap(Map.of("jdbc-journal.class", journalClass(config))))
        .withFallback(config)
        .resolve();
  }

  public Dialect dialect() {
    if (url.startsWith("jdbc:h2:")) {
      return Dialect.H2;
    }
    if (url.startsWith("jdbc:postgresql:")) {
      return Dialect.POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "unsupported database URL (jdbc:h2: or jdbc:postgresql: expected): " + redactedUrl());
  }

  /**
   * The journal's and the projections' configuration, to lay over the loaded config (in code: in a
   * shaded jar's merged reference.conf, Pekko's own defaults for these keys could win). The journal's
   * writes (journal, snapshots, durable state) and its queries (the read journal) each get a pool
   * of their own, {@code helix.db.max-connections} and {@code helix.db.query-max-connections}. The
   * read-model projections ({@code pekko-projection-jdbc}) get this database's dialect and run their
   * JDBC work on {@code helix.read-model.jdbc-dispatcher}, sized like the read model's pool.
   */
  public Config journalConfig() {
    Map<String, String> settings = new HashMap<>();
    for (String plugin : List.of("jdbc-journal", "jdbc-snapshot-store", "jdbc-durable-state-store")) {
      settings.put(plugin + ".use-shared-db", "default");
    }
    settings.put("jdbc-read-journal.use-shared-db", "query");
    for (String database : List.of("default", "query")) {
      String prefix = "pekko-persistence-jdbc.shared-databases." + database + ".";
      settings.putAll(
          Map.of(
              prefix + "profile", dialect().slickProfile,
              prefix + "db.driver", dialect().driver,
              prefix + "db.url", url,
              prefix + "db.user", user,
              prefix + "db.password", password));
    }
    settings.putAll(
        Map.of(
            "pekko.persistence.journal.plugin", "jdbc-journal",
            "pekko.persistence.snapshot-store.plugin", "jdbc-snapshot-store",
            "pekko.persistence.state.plugin", "jdbc-durable-state-store",
            "pekko.projection.jdbc.dialect", dialect().projectionDialect,
            "pekko.projection.jdbc.use-dispatcher", "helix.read-model.jdbc-dispatcher"));
    return ConfigFactory.parseMap(settings);
  }

  /** The class of the plugin {@code jdbc-journal}, from {@code helix.db.journal}. */
  static String journalClass(Config config) {
    String journal = config.hasPath("helix.db.journal") ? config.getString("helix.db.journal") : "group-commit";
    return switch (journal) {
      case "group-commit" -> "io.helix.persistence.journal.GroupCommitJournal";
      case "pekko-jdbc" -> "org.apache.pekko.persistence.jdbc.journal.JdbcAsyncWriteJournal";
      default ->
          throw new IllegalArgumentException(
              "helix.db.journal is group-commit or pekko-jdbc, not " + journal);
    };
  }

  /** The URL without its query, which may hold credentials. */
  public String redactedUrl() {
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query) + "?...";
  }
}
