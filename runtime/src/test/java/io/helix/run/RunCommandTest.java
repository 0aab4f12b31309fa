package io.helix.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.serialization.CborSerializable;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Only the public commands cross the wire; the entity's own messages never do. */
class RunCommandTest {

  @Test
  void thePublicCommandsAreSerializable() {
    List<Class<?>> publicCommands =
        List.of(
            RunCommand.Start.class,
            RunCommand.GetStatus.class,
            RunCommand.AwaitResult.class,
            RunCommand.Abort.class,
            RunCommand.AwaitSettled.class,
            RunCommand.AwaitChange.class,
            RunCommand.Approve.class,
            RunCommand.SubmitToolResult.class,
            RunCommand.Interrupt.class,
            RunCommand.Resume.class,
            RunCommand.ReportTurn.class);
    publicCommands.forEach(
        command -> assertTrue(CborSerializable.class.isAssignableFrom(command), command.getName()));
    Set<Class<?>> permitted = Set.of(RunCommand.class.getPermittedSubclasses());
    assertEquals(
        Set.of(
            RunCommand.Start.class, RunCommand.GetStatus.class, RunCommand.AwaitResult.class,
            RunCommand.Abort.class, RunCommand.AwaitSettled.class, RunCommand.Approve.class,
            RunCommand.SubmitToolResult.class, RunCommand.Interrupt.class,
            RunCommand.Resume.class, RunCommand.ReportTurn.class, RunCommand.AwaitChange.class,
            RunCommand.Stop.class,
            InternalCommand.class),
        permitted);
  }

  @Test
  void stopAndTheEntitysOwnMessagesAreNot() {
    assertFalse(CborSerializable.class.isAssignableFrom(RunCommand.class));
    assertFalse(CborSerializable.class.isAssignableFrom(RunCommand.Stop.class));
    assertFalse(CborSerializable.class.isAssignableFrom(InternalCommand.class));
    String serializable =
        Arrays.stream(InternalCommand.class.getPermittedSubclasses())
            .filter(CborSerializable.class::isAssignableFrom)
            .map(Class::getSimpleName)
            .collect(Collectors.joining(", "));
    assertEquals("", serializable);
  }
}
