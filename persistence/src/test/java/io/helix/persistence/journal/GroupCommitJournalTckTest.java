package io.helix.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.helix.persistence.readmodel.TestDatabase;
import io.helix.persistence.readmodel.TestPostgres;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.journal.JavaJournalSpec;
import org.junit.jupiter.api.Test;
import org.scalatest.tools.Runner;

/**
 * Pekko's journal TCK ({@code pekko-persistence-tck}: writes, replays with bounds and limits,
 * deletes, highest sequence numbers, rejection of what does not serialize, serialization,
 * metadata) against {@link GroupCommitJournal}, on H2 and on PostgreSQL. The TCK is a
 * ScalaTest suite; ScalaTest's runner runs it and answers whether every test passed.
 */
class GroupCommitJournalTckTest {

  /** The database of the suite being run (the runner constructs the suite by its class name). */
  private static volatile Config database;

  /** The TCK on {@link #database}. */
  public static final class Tck extends JavaJournalSpec {
    public Tck() {
      super(database);
    }

    @Override
    public CapabilityFlag supportsRejectingNonSerializableObjects() {
      return CapabilityFlag.on();
    }

    @Override
    public CapabilityFlag supportsSerialization() {
      return CapabilityFlag.on();
    }

    @Override
    public CapabilityFlag supportsMetadata() {
      return CapabilityFlag.on();
    }
  }

  @Test
  void passesTheJournalTckOnH2() throws Exception {
    runTck(TestDatabase.h2());
  }

  @Test
  void passesTheJournalTckOnPostgres() throws Exception {
    try (TestPostgres server = TestPostgres.start()) {
      runTck(server.newDatabase());
    }
  }

  private static void runTck(TestDatabase db) {
    database =
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(db.nodeConfig());
    assertEquals(
        GroupCommitJournal.class.getName(), database.getString("jdbc-journal.class"), "the journal under test");
    // -oW: standard output, without colour; -s: the suite
    assertTrue(Runner.run(new String[] {"-oW", "-s", Tck.class.getName()}), "the TCK passes (see its output)");
  }
}
