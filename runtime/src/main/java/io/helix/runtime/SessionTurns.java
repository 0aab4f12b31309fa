package io.helix.runtime;

import io.helix.agent.RunRequest;
import io.helix.agent.SessionBusyException;
import io.helix.agent.SessionConflictException;
import io.helix.agent.SessionView;
import io.helix.history.Erasure;
import io.helix.run.RunCommand;
import io.helix.run.RunEntity;
import io.helix.run.RunLookup;
import io.helix.run.StartReply;
import io.helix.run.TurnReport;
import io.helix.session.SessionCommand;
import io.helix.session.SessionEntity;
import io.helix.session.TurnReply;
import io.helix.stream.StreamEntity;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The executor's side of sessions ({@link SessionEntity}): a turn is recorded by the session, then
 * its run is started with the session's conversation; a session busy with a run that ended unheard
 * of (or never started) is told so and asked again; reading a session brings its active turn's
 * status; erasing it deletes its runs, their sub-agents' runs and streams, and the session.
 */
final class SessionTurns {

  private final ClusterSharding sharding;
  private final ExecutorSettings settings;
  private final Optional<Erasure> erasure;

  SessionTurns(ClusterSharding sharding, ExecutorSettings settings, Optional<Erasure> erasure) {
    this.sharding = sharding;
    this.settings = settings;
    this.erasure = erasure;
  }

  /** Records the turn {@code runId} of the request's session and starts its run. */
  CompletionStage<StartReply> start(RunRequest request, String runId) {
    return start(request, runId, true);
  }

  private CompletionStage<StartReply> start(RunRequest request, String runId, boolean firstTry) {
    return session(request.owner(), request.sessionId())
        .<TurnReply>ask(
            replyTo ->
                new SessionCommand.StartTurn(
                    request.sessionId(),
                    request.owner(),
                    request.agentType(),
                    request.message(),
                    runId,
                    replyTo),
            settings.askTimeout())
        .thenCompose(
            reply -> {
              if (reply instanceof TurnReply.Proceed proceed) {
                return run(runId)
                    .<StartReply>ask(
                        replyTo ->
                            new RunCommand.Start(
                                request.agentType(),
                                request.message(),
                                null,
                                null,
                                replyTo,
                                request.traceParent(),
                                request.owner(),
                                proceed.turn(),
                                request.maxTokens()),
                        settings.askTimeout());
              }
              if (reply instanceof TurnReply.OtherAgent other) {
                throw new SessionConflictException(
                    request.sessionId(), other.agentType(), request.agentType());
              }
              String active = ((TurnReply.Busy) reply).activeRunId();
              if (!firstTry) {
                throw new SessionBusyException(request.sessionId(), active);
              }
              // the active turn's run may have ended unheard of, or never started
              return report(active)
                  .thenCompose(
                      report -> {
                        if (report.exists() && !report.ended()) {
                          throw new SessionBusyException(request.sessionId(), active);
                        }
                        return endTurn(request.owner(), request.sessionId(), report)
                            .thenCompose(done -> start(request, runId, false));
                      });
            });
  }

  /** The session, with its active turn's status as its run has it now. */
  CompletionStage<Optional<SessionView>> get(String owner, String sessionId) {
    return lookup(owner, sessionId, SessionCommand.Get::new)
        .thenCompose(
            found -> {
              if (found.isEmpty() || found.get().activeRunId() == null) {
                return CompletableFuture.completedFuture(found);
              }
              return report(found.get().activeRunId())
                  .thenCompose(
                      report ->
                          report.ended() || !report.exists()
                              // ended unheard of: the session hears of it, then answers again
                              ? endTurn(owner, sessionId, report)
                                  .thenCompose(done -> lookup(owner, sessionId, SessionCommand.Get::new))
                              : CompletableFuture.completedFuture(found));
            });
  }

  /**
   * Erases the session: aborts an active turn, erases the session's record, then deletes the
   * events, snapshots, streams and read-model rows of its runs and their sub-agents' runs.
   */
  CompletionStage<Boolean> delete(String owner, String sessionId) {
    if (erasure.isEmpty()) {
      return CompletableFuture.failedFuture(
          new UnsupportedOperationException("this node has no database to erase sessions from"));
    }
    return get(owner, sessionId)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return CompletableFuture.completedFuture(false);
              }
              SessionView session = found.get();
              CompletionStage<?> stopped =
                  session.activeRunId() == null
                      ? CompletableFuture.completedFuture(null)
                      : run(session.activeRunId())
                          .<RunLookup>ask(
                              replyTo -> new RunCommand.Abort("session deleted", replyTo),
                              settings.askTimeout());
              List<String> roots = session.turns().stream().map(SessionView.Turn::runId).toList();
              return stopped
                  .thenCompose(aborted -> withSubAgents(roots))
                  .thenCompose(
                      runIds ->
                          lookup(owner, sessionId, SessionCommand.Erase::new)
                              .thenCompose(
                                  before ->
                                      erasure
                                          .get()
                                          .erase(persistenceIds(owner, sessionId, roots, runIds), runIds)))
                  .thenApply(done -> true);
            });
  }

  /** The runs and, recursively, their sub-agents' runs. */
  private CompletionStage<Set<String>> withSubAgents(List<String> runIds) {
    Set<String> all = new HashSet<>();
    CompletionStage<Void> walked = CompletableFuture.completedFuture(null);
    for (String runId : runIds) {
      walked = walked.thenCompose(v -> walk(runId, all));
    }
    return walked.thenApply(v -> all);
  }

  private CompletionStage<Void> walk(String runId, Set<String> all) {
    if (!all.add(runId)) {
      return CompletableFuture.completedFuture(null);
    }
    return report(runId)
        .thenCompose(
            report -> {
              CompletionStage<Void> children = CompletableFuture.completedFuture(null);
              for (String child : report.subAgentRunIds()) {
                children = children.thenCompose(v -> walk(child, all));
              }
              return children;
            });
  }

  private static Set<String> persistenceIds(
      String owner, String sessionId, List<String> roots, Set<String> runIds) {
    Set<String> ids = new HashSet<>();
    runIds.forEach(id -> ids.add(PersistenceId.of(RunEntity.TYPE_KEY.name(), id).id()));
    roots.forEach(id -> ids.add(StreamEntity.persistenceId(id)));
    ids.add(
        PersistenceId.of(SessionEntity.TYPE_KEY.name(), SessionEntity.entityId(owner, sessionId))
            .id());
    return ids;
  }

  private CompletionStage<TurnReport> report(String runId) {
    return run(runId).ask(RunCommand.ReportTurn::new, settings.askTimeout());
  }

  private CompletionStage<org.apache.pekko.Done> endTurn(
      String owner, String sessionId, TurnReport report) {
    return session(owner, sessionId)
        .ask(replyTo -> new SessionCommand.EndTurn(report, replyTo), settings.askTimeout());
  }

  private CompletionStage<Optional<SessionView>> lookup(
      String owner,
      String sessionId,
      org.apache.pekko.japi.function.Function<
              org.apache.pekko.actor.typed.ActorRef<SessionCommand.Lookup>, SessionCommand>
          command) {
    return session(owner, sessionId)
        .<SessionCommand.Lookup>ask(command, settings.askTimeout())
        .thenApply(SessionCommand.Lookup::session);
  }

  private EntityRef<SessionCommand> session(String owner, String sessionId) {
    return sharding.entityRefFor(SessionEntity.TYPE_KEY, SessionEntity.entityId(owner, sessionId));
  }

  private EntityRef<RunCommand> run(String runId) {
    return sharding.entityRefFor(RunEntity.TYPE_KEY, runId);
  }
}
