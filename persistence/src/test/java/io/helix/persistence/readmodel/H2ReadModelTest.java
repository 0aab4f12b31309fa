package io.helix.persistence.readmodel;

/** The read model on the embedded H2 file database, the default of a node. */
class H2ReadModelTest extends ReadModelContract {

  @Override
  TestDatabase newDatabase() throws Exception {
    return TestDatabase.h2();
  }
}
