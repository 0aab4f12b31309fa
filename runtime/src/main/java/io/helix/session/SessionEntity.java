package io.helix.session;

import io.helix.run.TurnListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A session: a conversation with one agent, one turn (one run) at a time. It keeps the turns, the
 * conversation of the ended ones and the custom state the last one left, so a turn starts from
 * them without reading any earlier run. It starts no run itself: {@link SessionCommand.StartTurn}
 * records the turn and answers what the caller starts the run with; the run tells the session when
 * it ends ({@link TurnListener}), and a caller that finds the session busy with a run that ended
 * unheard of (or never started) reports it ({@link SessionCommand.EndTurn}). Decisions are in
 * {@link SessionDecisions}. Not remembered: a session holds no work, only the record of one.
 */
public final class SessionEntity
    extends EventSourcedBehaviorWithEnforcedReplies<SessionCommand, SessionEvent, SessionState> {

  public static final EntityTypeKey<SessionCommand> TYPE_KEY =
      EntityTypeKey.create(SessionCommand.class, "Session");

  /** Starts the sharding of sessions on this node (idempotent). */
  public static void init(ClusterSharding sharding, int snapshotEvery) {
    sharding.init(
        Entity.of(
            TYPE_KEY,
            context -> new SessionEntity(context.getEntityId(), snapshotEvery)));
  }

  /**
   * The entity id of {@code owner}'s session {@code sessionId}: the id itself for the shared
   * principal (null owner), else derived from both, so two owners' equal ids are two sessions.
   */
  public static String entityId(String owner, String sessionId) {
    if (owner == null) {
      return sessionId;
    }
    String key = "session\u0000" + owner + "\u0000" + sessionId;
    return "s-" + UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8));
  }

  /** The listener by which the runs of sessions tell their session that they ended. */
  public static TurnListener listener(ClusterSharding sharding) {
    return report ->
        sharding
            .entityRefFor(TYPE_KEY, entityId(report.owner(), report.sessionId()))
            .tell(new SessionCommand.TurnEnded(report));
  }

  private final int snapshotEvery;

  private SessionEntity(String entityId, int snapshotEvery) {
    super(
        PersistenceId.of(TYPE_KEY.name(), entityId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.snapshotEvery = snapshotEvery;
  }

  @Override
  public SessionState emptyState() {
    return SessionState.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
  }

  @Override
  public CommandHandlerWithReply<SessionCommand, SessionEvent, SessionState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(SessionCommand.StartTurn.class, this::onStartTurn)
        .onCommand(
            SessionCommand.EndTurn.class,
            (state, c) -> ended(state, c.report()).thenReply(c.replyTo(), after -> Done.getInstance()))
        .onCommand(
            SessionCommand.TurnEnded.class, (state, c) -> ended(state, c.report()).thenNoReply())
        .onCommand(SessionCommand.Get.class, (state, c) -> Effect().reply(c.replyTo(), lookup(state)))
        .onCommand(SessionCommand.Erase.class, this::onErase)
        .build();
  }

  private ReplyEffect<SessionEvent, SessionState> onStartTurn(
      SessionState state, SessionCommand.StartTurn start) {
    SessionDecisions.Start decision = SessionDecisions.startTurn(state, start, now());
    return decision
        .event()
        .map(event -> Effect().persist(event).thenReply(start.replyTo(), after -> decision.reply()))
        .orElseGet(() -> Effect().reply(start.replyTo(), decision.reply()));
  }

  private org.apache.pekko.persistence.typed.javadsl.EffectBuilder<SessionEvent, SessionState>
      ended(SessionState state, io.helix.run.TurnReport report) {
    return SessionDecisions.endTurn(state, report, now())
        .<org.apache.pekko.persistence.typed.javadsl.EffectBuilder<SessionEvent, SessionState>>map(
            event -> Effect().persist(event))
        .orElseGet(() -> Effect().none());
  }

  private ReplyEffect<SessionEvent, SessionState> onErase(
      SessionState state, SessionCommand.Erase erase) {
    SessionCommand.Lookup before = lookup(state);
    if (!state.exists()) {
      return Effect().reply(erase.replyTo(), before);
    }
    return Effect()
        .persist(new SessionEvent.SessionErased(now()))
        .thenReply(erase.replyTo(), after -> before);
  }

  private static SessionCommand.Lookup lookup(SessionState state) {
    return new SessionCommand.Lookup(state.exists() ? state.view() : null);
  }

  @Override
  public EventHandler<SessionState, SessionEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(SessionState::apply);
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
