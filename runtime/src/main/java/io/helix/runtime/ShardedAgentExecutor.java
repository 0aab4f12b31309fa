package io.helix.runtime;

import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.agent.RunConflictException;
import io.helix.agent.RunRequest;
import io.helix.agent.RunResult;
import io.helix.agent.SessionView;
import io.helix.history.Erasure;
import io.helix.agent.UnknownAgentException;
import io.helix.agent.RunControlException;
import io.helix.run.ControlReply;
import io.helix.run.RunCommand;
import io.helix.run.RunEntity;
import io.helix.run.RunLookup;
import io.helix.run.RunSettings;
import io.helix.run.StartReply;
import io.helix.stream.StreamChunk;
import io.helix.stream.StreamStatus;
import io.helix.stream.StreamSettings;
import io.helix.stream.Streams;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/** The {@link AgentExecutor} over the sharded run and stream entities. */
final class ShardedAgentExecutor implements AgentExecutor {

  private final ActorSystem<?> system;
  private final AgentRegistry agents;
  private final ClusterSharding sharding;
  private final ExecutorSettings settings;
  private final Streams streams;
  private final Optional<CurrentEventsByPersistenceIdQuery> runJournal;
  private final SessionTurns sessions;
  private final RunSettings runSettings;

  ShardedAgentExecutor(
      ActorSystem<?> system,
      AgentRegistry agents,
      ClusterSharding sharding,
      ExecutorSettings settings,
      Streams streams,
      Optional<Erasure> erasure) {
    this.sessions = new SessionTurns(sharding, settings, erasure);
    this.system = system;
    this.agents = agents;
    this.sharding = sharding;
    this.settings = settings;
    this.streams = streams;
    this.runSettings = RunSettings.fromConfig(system.settings().config().getConfig("helix"));
    this.runJournal =
        StreamSettings.fromConfig(system.settings().config())
            .readJournal()
            .map(
                plugin ->
                    PersistenceQuery.get(Adapter.toClassic(system))
                        .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, plugin));
  }

  @Override
  public CompletionStage<AgentHandle> execute(RunRequest request) {
    String agentType = request.agentType();
    if (agents.get(agentType).isEmpty()) {
      return CompletableFuture.failedFuture(new UnknownAgentException(agentType));
    }
    if (request.message() == null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("message is required"));
    }
    if (request.maxTokens() < 0) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("maxTokens must not be negative"));
    }
    String id = request.runId() == null ? UUID.randomUUID().toString() : request.runId();
    if (!validRunId(id)) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "invalid runId: it must match " + settings.runIdPattern().pattern()));
    }
    if (request.sessionId() != null && !validRunId(request.sessionId())) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "invalid sessionId: it must match " + settings.runIdPattern().pattern()));
    }
    if (request.owner() != null && request.runId() != null) {
      id = ownedRunId(request.owner(), id);
    }
    String runId = id;
    CompletionStage<StartReply> reply =
        request.sessionId() != null
            ? sessions.start(request, runId)
            : run(runId)
                .ask(
                    replyTo ->
                        new RunCommand.Start(
                            agentType,
                            request.message(),
                            null,
                            null,
                            replyTo,
                            request.traceParent(),
                            request.owner(),
                            null,
                            request.maxTokens()),
                    settings.askTimeout());
    return reply.thenApply(
        answer -> {
          if (answer instanceof StartReply.Started started) {
            return handle(started.run());
          } else if (answer instanceof StartReply.AlreadyExists existing) {
            if (existing.sameInput()) {
              return handle(existing.run());
            }
            throw new RunConflictException(runId);
          } else {
            throw new UnknownAgentException(agentType);
          }
        });
  }

  /**
   * The id of {@code owner}'s run of key {@code runId}: derived from both, so that owners' keys
   * never meet (and a key reveals nothing of another owner's runs).
   */
  static String ownedRunId(String owner, String runId) {
    String key = "run\u0000" + owner + "\u0000" + runId;
    return "r-" + UUID.nameUUIDFromBytes(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Override
  public CompletionStage<Optional<SessionView>> getSession(String owner, String sessionId) {
    if (sessionId == null || !validRunId(sessionId)) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return sessions.get(owner, sessionId);
  }

  @Override
  public CompletionStage<Boolean> deleteSession(String owner, String sessionId) {
    if (sessionId == null || !validRunId(sessionId)) {
      return CompletableFuture.completedFuture(false);
    }
    return sessions.delete(owner, sessionId);
  }

  @Override
  public long tokenBudget(io.helix.agent.AgentDefinition agent) {
    return runSettings.tokenBudget(Optional.of(agent));
  }

  @Override
  public CompletionStage<Optional<AgentHandle>> getHandle(String runId) {
    if (runId == null || !validRunId(runId)) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return journaled(runId)
        .thenCompose(
            exists ->
                exists
                    ? askRun(runId, RunCommand.GetStatus::new)
                        .thenApply(lookup -> lookup.result().map(this::handle))
                    : CompletableFuture.completedFuture(Optional.<AgentHandle>empty()));
  }

  /**
   * Whether the run has events, from the read journal: asking the entity of an unknown id would
   * start it, and with remembered entities that costs journal writes for every id anyone tries.
   */
  private CompletionStage<Boolean> journaled(String runId) {
    if (runJournal.isEmpty()) {
      return CompletableFuture.completedFuture(true);
    }
    String persistenceId = PersistenceId.of(RunEntity.TYPE_KEY.name(), runId).id();
    return runJournal
        .get()
        .currentEventsByPersistenceId(persistenceId, 0, 1)
        .runWith(Sink.headOption(), system)
        .thenApply(Optional::isPresent);
  }

  private boolean validRunId(String runId) {
    return settings.runIdPattern().matcher(runId).matches();
  }

  private AgentHandle handle(RunResult run) {
    return new Handle(run.runId(), run.streamId(), run.owner());
  }

  private EntityRef<RunCommand> run(String runId) {
    return sharding.entityRefFor(RunEntity.TYPE_KEY, runId);
  }

  private CompletionStage<RunLookup> askRun(
      String runId, org.apache.pekko.japi.function.Function<ActorRef<RunLookup>, RunCommand> ask) {
    return run(runId).ask(ask::apply, settings.askTimeout());
  }

  private final class Handle implements AgentHandle {
    private final String runId;
    private final String streamId;
    private final String owner;

    Handle(String runId, String streamId, String owner) {
      this.runId = runId;
      this.streamId = streamId;
      this.owner = owner;
    }

    @Override
    public String runId() {
      return runId;
    }

    @Override
    public String owner() {
      return owner;
    }

    @Override
    public CompletionStage<RunResult> result() {
      return run(runId)
          .<RunLookup>ask(RunCommand.AwaitSettled::new, settings.awaitSlice())
          .handle(
              (lookup, error) -> {
                if (error == null) {
                  return CompletableFuture.completedFuture(existing(lookup));
                }
                if (unwrap(error) instanceof TimeoutException) {
                  // still running, or moved: ask again
                  return result();
                }
                return CompletableFuture.<RunResult>failedFuture(unwrap(error));
              })
          .thenCompose(stage -> stage);
    }

    @Override
    public CompletionStage<RunResult> result(java.time.Duration atMost) {
      if (atMost.isZero() || atMost.isNegative()) {
        return status();
      }
      return run(runId)
          .<RunLookup>ask(RunCommand.AwaitSettled::new, atMost)
          .handle(
              (lookup, error) ->
                  error == null
                      ? CompletableFuture.completedFuture(existing(lookup))
                      : status())
          .thenCompose(stage -> stage);
    }

    @Override
    public CompletionStage<RunResult> status() {
      return askRun(runId, RunCommand.GetStatus::new).thenApply(this::existing);
    }

    @Override
    public CompletionStage<RunResult> abort(String reason) {
      return askRun(runId, replyTo -> new RunCommand.Abort(reason, replyTo))
          .thenApply(this::existing);
    }

    @Override
    public CompletionStage<RunResult> approve(String approvalId, boolean approved, String reason) {
      Objects.requireNonNull(approvalId, "approvalId");
      return control(replyTo -> new RunCommand.Approve(approvalId, approved, reason, replyTo));
    }

    @Override
    public CompletionStage<RunResult> submitToolResult(
        String toolCallId, com.fasterxml.jackson.databind.JsonNode result, String error) {
      Objects.requireNonNull(toolCallId, "toolCallId");
      return control(replyTo -> new RunCommand.SubmitToolResult(toolCallId, result, error, replyTo));
    }

    @Override
    public CompletionStage<RunResult> interrupt(String reason) {
      return control(replyTo -> new RunCommand.Interrupt(reason, replyTo));
    }

    @Override
    public CompletionStage<RunResult> resume(String message) {
      return control(replyTo -> new RunCommand.Resume(message, replyTo));
    }

    private CompletionStage<RunResult> control(
        org.apache.pekko.japi.function.Function<ActorRef<ControlReply>, RunCommand> command) {
      return run(runId)
          .<ControlReply>ask(command::apply, settings.askTimeout())
          .thenApply(
              reply -> {
                if (reply.refused() != null) {
                  throw new RunControlException(reply.refused(), reply.message());
                }
                if (reply.run() == null) {
                  throw new IllegalStateException("run '" + runId + "' does not exist");
                }
                return reply.run();
              });
    }

    @Override
    public String streamId() {
      return streamId;
    }

    @Override
    public Source<StreamChunk, NotUsed> stream(long fromOffset) {
      // a sub-agent's run writes to its root's stream: this is that stream
      return streams.subscribe(streamId, fromOffset);
    }

    @Override
    public CompletionStage<StreamStatus> streamStatus() {
      return streams.status(streamId);
    }

    private RunResult existing(RunLookup lookup) {
      return lookup
          .result()
          .orElseThrow(() -> new IllegalStateException("run '" + runId + "' does not exist"));
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
