package io.helix.run;

import io.helix.agent.PendingRequest;
import io.helix.agent.RunControlException;
import io.helix.run.HumanDecisions.Control;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The controls of a person in the loop, as {@link RunEntity} carries them out: an approval, a
 * client's tool result, an interrupt, a resume; and the expiry of approvals. {@link HumanDecisions}
 * decides; this persists what it decides, answers with the run afterwards (or the refusal), and has
 * {@link RunWork} go on from there.
 */
final class RunControl {

  private final Supplier<EffectFactories<RunEvent, RunState>> effects;
  private final RunWork work;
  private final RunSettings settings;

  RunControl(
      Supplier<EffectFactories<RunEvent, RunState>> effects, RunWork work, RunSettings settings) {
    this.effects = effects;
    this.work = work;
    this.settings = settings;
  }

  /**
   * Decides an approval; one a sub-agent's run waits for (its own or one below it, see {@link
   * SubAgentWaits}) is passed on to that child, which answers with its run.
   */
  ReplyEffect<RunEvent, RunState> approve(RunState state, RunCommand.Approve approve) {
    Optional<String> child =
        work.waits.childWaitingFor(state, p -> approve.approvalId().equals(p.approvalId()));
    if (child.isPresent()) {
      return passOn(state, child.get(), approve);
    }
    return decide(
        state,
        approve.replyTo(),
        false,
        now ->
            HumanDecisions.approve(
                now.state(), work.agent(state), approve.approvalId(), approve.approved(),
                approve.reason(), now.time()));
  }

  /**
   * A client tool's result; one a sub-agent's run waits for is passed on to that child, as an
   * approval is.
   */
  ReplyEffect<RunEvent, RunState> toolResult(RunState state, RunCommand.SubmitToolResult submit) {
    Optional<String> child =
        work.waits.childWaitingFor(
            state,
            p ->
                PendingRequest.CLIENT_TOOL.equals(p.kind())
                    && submit.toolCallId().equals(p.toolCallId()));
    if (child.isPresent()) {
      return passOn(state, child.get(), submit);
    }
    return decide(
        state,
        submit.replyTo(),
        false,
        now ->
            HumanDecisions.toolResult(
                now.state(), work.agent(state), submit.toolCallId(), submit.result(),
                submit.error(), now.time()));
  }

  ReplyEffect<RunEvent, RunState> interrupt(RunState state, RunCommand.Interrupt interrupt) {
    return decide(
        state,
        interrupt.replyTo(),
        true,
        now ->
            HumanDecisions.interrupt(
                now.state(), interrupt.reason(), work.model.interruptedAnswer(), now.time()));
  }

  ReplyEffect<RunEvent, RunState> resume(RunState state, RunCommand.Resume resume) {
    return decide(
        state,
        resume.replyTo(),
        false,
        now -> HumanDecisions.resume(now.state(), resume.message(), now.time()));
  }

  /**
   * The approvals whose expiry has come are decided as expired (the timer of {@link
   * RunWork}); early (nothing expired yet), the timer is set again.
   */
  ReplyEffect<RunEvent, RunState> expire(
      RunState state, InternalCommand.ApprovalsExpired expired) {
    List<RunEvent> events = expiredAt(state, now());
    if (events.isEmpty()) {
      return effects.get().none().thenRun(work::expiryTimer).thenNoReply();
    }
    return effects
        .get()
        .persist(events)
        .thenRun((RunState after) -> work.persisted(events, after))
        .thenNoReply();
  }

  private ReplyEffect<RunEvent, RunState> passOn(
      RunState state, String toolCallId, RunCommand control) {
    return effects.get().none().thenRun(s -> work.passOn(state, toolCallId, control)).thenNoReply();
  }

  /** The state a control is decided on, and the time. */
  private record Now(RunState state, long time) {}

  /**
   * A control is decided on the run as it is once the approvals past their expiry are decided as
   * expired (persisted with what the control decides, even when it is refused): so a run that was
   * out of memory past an expiry, or whose timer has not fired yet, never takes an approval late.
   */
  private ReplyEffect<RunEvent, RunState> decide(
      RunState before,
      ActorRef<ControlReply> replyTo,
      boolean interrupting,
      Function<Now, Control> decision) {
    long now = now();
    List<RunEvent> expired = expiredAt(before, now);
    RunState current = before;
    for (RunEvent event : expired) {
      current = current.apply(event);
    }
    Control control = decision.apply(new Now(current, now));
    List<RunEvent> events = new ArrayList<>(expired);
    if (control instanceof Control.Persist persist) {
      events.addAll(persist.events());
    }
    if (events.isEmpty()) {
      return effects.get().reply(replyTo, reply(control, current));
    }
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
        .thenReply(replyTo, after -> reply(control, after));
  }

  private List<RunEvent> expiredAt(RunState state, long now) {
    return HumanDecisions.expired(state, work.agent(state), settings.approvalTimeout(), now);
  }

  private ControlReply reply(Control control, RunState after) {
    if (control instanceof Control.Refused refused) {
      return ControlReply.refused(refused.reason(), refused.message());
    }
    return ControlReply.done(work.present(after));
  }

  /** A control of an id that has no run: it leaves memory again. */
  ReplyEffect<RunEvent, RunState> noRun(ActorRef<ControlReply> replyTo) {
    return effects.get().none().thenRun(work::passivate).thenReply(replyTo, s -> ControlReply.NO_RUN);
  }

  /** The refusal as the exception the caller sees. */
  static RunControlException exception(ControlReply reply) {
    return new RunControlException(reply.refused(), reply.message());
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
