package io.helix.run;

import io.helix.agent.RunControlException;
import io.helix.agent.RunResult;
import io.helix.serialization.CborSerializable;

/**
 * The answer to a control of a run ({@link RunCommand.Approve}, {@link
 * RunCommand.SubmitToolResult}, {@link RunCommand.Interrupt}, {@link RunCommand.Resume}): the run
 * afterwards, or why it refused (changing nothing). {@code run} is null when no run has the id.
 */
public record ControlReply(RunResult run, RunControlException.Reason refused, String message)
    implements CborSerializable {

  static ControlReply done(RunResult run) {
    return new ControlReply(run, null, null);
  }

  static ControlReply refused(RunControlException.Reason reason, String message) {
    return new ControlReply(null, reason, message);
  }

  public static final ControlReply NO_RUN = new ControlReply(null, null, null);
}
