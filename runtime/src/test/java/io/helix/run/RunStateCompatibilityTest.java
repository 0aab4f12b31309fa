package io.helix.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.model.TokenUsage;
import io.helix.testkit.TestRuntime;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A snapshot written before a field of {@link RunState} existed reads with a usable value there:
 * read through the journal's own serializer (Jackson CBOR), from the bytes of an older shape.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunStateCompatibilityTest {

  private final ActorTestKit testKit = ActorTestKit.create("compat", TestRuntime.config(""));

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  /** An older snapshot: a run with no subAgents, messages or usage fields at all. */
  record OldRunState(String runId, String agentType, String input, String streamId, String status,
      int step, long createdAt, long updatedAt) implements io.helix.serialization.CborSerializable {}

  @Test
  void missingListsAndUsageReadAsEmpty() throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    OldRunState old = new OldRunState("r1", "a", "hi", "r1", "running", 2, 1L, 2L);
    byte[] bytes = serialization.serialize(old).get();
    // the bytes of the old shape, read under RunState's manifest, as recovery reads a snapshot
    var serializer = serialization.findSerializerFor(old);
    RunState state =
        (RunState)
            serialization
                .deserialize(bytes, serializer.identifier(), RunState.class.getName())
                .get();
    assertEquals("r1", state.runId());
    assertEquals(2, state.step());
    assertTrue(state.messages().isEmpty());
    assertTrue(state.subAgents().isEmpty());
    assertEquals(TokenUsage.ZERO, state.usage());
    assertTrue(state.pendingToolCalls().isEmpty());
  }
}
