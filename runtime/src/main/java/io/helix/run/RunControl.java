package io.helix.run;

import io.helix.agent.RunControlException;
import io.helix.run.HumanDecisions.Control;
import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The controls of a person in the loop, as {@link RunEntity} carries them out: an approval, a
 * client's tool result, an interrupt, a resume. {@link HumanDecisions} decides; this persists what
 * it decides, answers with the run afterwards (or the refusal, changing nothing), and has {@link
 * RunWork} go on from there.
 */
final class RunControl {

  private final Supplier<EffectFactories<RunEvent, RunState>> effects;
  private final RunWork work;

  RunControl(Supplier<EffectFactories<RunEvent, RunState>> effects, RunWork work) {
    this.effects = effects;
    this.work = work;
  }

  ReplyEffect<RunEvent, RunState> approve(RunState state, RunCommand.Approve approve) {
    Control control =
        HumanDecisions.approve(
            state, work.agent(state), approve.approvalId(), approve.approved(), approve.reason(),
            now());
    return carryOut(state, control, approve.replyTo(), false);
  }

  ReplyEffect<RunEvent, RunState> toolResult(RunState state, RunCommand.SubmitToolResult submit) {
    Control control =
        HumanDecisions.toolResult(
            state, work.agent(state), submit.toolCallId(), submit.result(), submit.error(), now());
    return carryOut(state, control, submit.replyTo(), false);
  }

  ReplyEffect<RunEvent, RunState> interrupt(RunState state, RunCommand.Interrupt interrupt) {
    Control control =
        HumanDecisions.interrupt(
            state, interrupt.reason(), work.model.interruptedAnswer(), now());
    return carryOut(state, control, interrupt.replyTo(), true);
  }

  ReplyEffect<RunEvent, RunState> resume(RunState state, RunCommand.Resume resume) {
    Control control = HumanDecisions.resume(state, resume.message(), now());
    return carryOut(state, control, resume.replyTo(), false);
  }

  /** A control of an id that has no run: it leaves memory again. */
  ReplyEffect<RunEvent, RunState> noRun(ActorRef<ControlReply> replyTo) {
    return effects.get().none().thenRun(work::passivate).thenReply(replyTo, s -> ControlReply.NO_RUN);
  }

  private ReplyEffect<RunEvent, RunState> carryOut(
      RunState before, Control control, ActorRef<ControlReply> replyTo, boolean interrupting) {
    if (control instanceof Control.Refused refused) {
      return effects.get().reply(replyTo, ControlReply.refused(refused.reason(), refused.message()));
    }
    if (control instanceof Control.Persist persist) {
      List<RunEvent> events = persist.events();
      return effects
          .get()
          .persist(events)
          .thenRun(
              (RunState after) -> {
                if (interrupting) {
                  work.interrupted(before, after);
                }
                work.persisted(events, after);
              })
          .thenReply(replyTo, after -> ControlReply.done(after.toResult()));
    }
    return effects.get().reply(replyTo, ControlReply.done(before.toResult()));
  }

  /** The refusal as the exception the caller sees. */
  static RunControlException exception(ControlReply reply) {
    return new RunControlException(reply.refused(), reply.message());
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
