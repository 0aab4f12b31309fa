package io.helix.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;

/**
 * The database of a node, from {@code helix.db}: the embedded H2 file by default, PostgreSQL when
 * the URL says so. The same code runs on both; only the dialect differs.
 */
public record DatabaseSettings(String url, String user, String password, int maxConnections) {

  /** A SQL dialect: its JDBC driver, Slick profile and migration folder. */
  public enum Dialect {
    H2("org.h2.Driver", "slick.jdbc.H2Profile$", "h2"),
    POSTGRESQL("org.postgresql.Driver", "slick.jdbc.PostgresProfile$", "postgresql");

    final String driver;
    final String slickProfile;
    final String migrations;

    Dialect(String driver, String slickProfile, String migrations) {
      this.driver = driver;
      this.slickProfile = slickProfile;
      this.migrations = migrations;
    }
  }

  public static DatabaseSettings fromConfig(Config config) {
    Config db = config.getConfig("helix.db");
    return new DatabaseSettings(
        db.getString("url"),
        db.getString("user"),
        db.getString("password"),
        db.getInt("max-connections"));
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

  /** The dialect's part of the journal's configuration, to lay over the loaded config. */
  public Config journalConfig() {
    String prefix = "pekko-persistence-jdbc.shared-databases.default.";
    return ConfigFactory.parseMap(
        Map.of(
            prefix + "profile", dialect().slickProfile,
            prefix + "db.driver", dialect().driver));
  }

  /** The URL without its query, which may hold credentials. */
  public String redactedUrl() {
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query) + "?...";
  }
}
