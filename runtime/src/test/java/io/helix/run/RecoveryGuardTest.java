package io.helix.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which recovery failures count towards giving a run up (the entity side is PoisonRunTest). */
class RecoveryGuardTest {

  private final List<String> givenUp = new ArrayList<>();
  private final RecoveryGuard guard =
      new RecoveryGuard(
          "r",
          3,
          new RunObserver() {
            @Override
            public void runGivenUp(String runId, String error) {
              givenUp.add(runId);
            }
          });

  private static Throwable unreadable() {
    return new IllegalStateException("recovery", new IOException("Unexpected Break (0xFF)"));
  }

  @Test
  void failuresInARowGiveTheRunUp() {
    guard.recoveryFailed(unreadable());
    guard.recoveryFailed(unreadable());
    assertFalse(guard.givenUp());
    guard.recoveryFailed(unreadable());
    assertTrue(guard.givenUp());
  }

  @Test
  void aRecoveryInBetweenStartsTheCountAgain() {
    guard.recoveryFailed(unreadable());
    guard.recoveryFailed(unreadable());
    guard.recovered();
    guard.recoveryFailed(unreadable());
    guard.recoveryFailed(unreadable());
    assertFalse(guard.givenUp());
  }

  @Test
  void aFailureSignalledAgainCountsOnce() {
    Throwable failure = unreadable();
    guard.recoveryFailed(failure);
    guard.recoveryFailed(new IllegalStateException("again", failure));
    guard.recoveryFailed(unreadable());
    assertFalse(guard.givenUp(), "two failures, not three");
  }

  @Test
  void anUnreachableJournalDoesNotCount() {
    Throwable outage =
        new IllegalStateException("recovery", new SQLTransientConnectionException("timed out"));
    for (int i = 0; i < 10; i++) {
      guard.recoveryFailed(outage);
    }
    assertFalse(guard.givenUp());
    assertTrue(RecoveryGuard.transientFailure(outage));
    assertFalse(RecoveryGuard.transientFailure(unreadable()));
    assertEquals(List.of(), givenUp);
  }
}
