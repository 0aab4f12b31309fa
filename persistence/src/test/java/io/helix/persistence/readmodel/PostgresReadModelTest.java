package io.helix.persistence.readmodel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The read model on PostgreSQL ({@link TestPostgres}); each test gets a new database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresReadModelTest extends ReadModelContract {

  private TestPostgres server;

  @BeforeAll
  void startPostgres() {
    server = TestPostgres.start();
  }

  @AfterAll
  void stopPostgres() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Override
  TestDatabase newDatabase() throws Exception {
    return server.newDatabase();
  }
}
