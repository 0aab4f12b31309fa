package io.helix.run;

import io.helix.run.RunDecisions.AfterModelFailure;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * What {@link RunEntity} does with what its model call reports: a delta is streamed, an answer is
 * decided on ({@link RunDecisions#onModelAnswer}, within the run's token budget) and persisted, a
 * failure is tried again or fails the run. Reports of a call that is no longer current are
 * dropped.
 */
final class ModelReplies {

  private final RunSettings settings;
  private final Supplier<EffectFactories<RunEvent, RunState>> effects;
  private final RunWork work;
  private final Function<List<RunEvent>, ReplyEffect<RunEvent, RunState>> persistAndProceed;

  ModelReplies(
      RunSettings settings,
      Supplier<EffectFactories<RunEvent, RunState>> effects,
      RunWork work,
      Function<List<RunEvent>, ReplyEffect<RunEvent, RunState>> persistAndProceed) {
    this.settings = settings;
    this.effects = effects;
    this.work = work;
    this.persistAndProceed = persistAndProceed;
  }

  ReplyEffect<RunEvent, RunState> streamed(
      RunState state, InternalCommand.ModelStreamed streamed) {
    if (work.model.isCurrent(state, streamed.step(), streamed.attempt())) {
      work.model.streamed(state, streamed.step(), streamed.event());
    }
    return effects.get().noReply();
  }

  ReplyEffect<RunEvent, RunState> answered(
      RunState state, InternalCommand.ModelAnswered answered) {
    if (!work.model.isCurrent(state, answered.step(), answered.attempt())) {
      return effects.get().noReply();
    }
    work.model.answered(answered.response());
    return persistAndProceed.apply(
        RunDecisions.onModelAnswer(
            state, work.agent(state), answered.response(), work.tokenBudget(state), now()));
  }

  ReplyEffect<RunEvent, RunState> timedOut(
      RunState state, InternalCommand.ModelTimedOut timedOut) {
    return failed(state, work.model.failureOf(timedOut));
  }

  ReplyEffect<RunEvent, RunState> failed(RunState state, InternalCommand.ModelFailed failed) {
    if (!work.model.isCurrent(state, failed.step(), failed.attempt())) {
      return effects.get().noReply();
    }
    double jitter = ThreadLocalRandom.current().nextDouble();
    AfterModelFailure next =
        RunDecisions.afterModelFailure(failed.cause(), failed.attempt(), settings, jitter, now());
    work.model.failed(failed.step(), next);
    if (next instanceof AfterModelFailure.GiveUp giveUp) {
      return effects.get().persist(giveUp.failed()).thenRun(work::finish).thenNoReply();
    }
    return effects.get().noReply();
  }

  ReplyEffect<RunEvent, RunState> retry(RunState state, InternalCommand.RetryModel retry) {
    if (work.model.isCurrent(state, retry.step(), retry.attempt())) {
      work.model.start(state, work.agent(state), retry.attempt());
    }
    return effects.get().noReply();
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
