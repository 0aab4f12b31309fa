package io.helix.http;

import io.helix.history.AgentStateRow;
import io.helix.history.MessagePage;
import io.helix.history.ProjectionLag;
import io.helix.history.RunFilter;
import io.helix.history.RunPage;
import io.helix.history.StateStore;
import io.helix.history.StoredMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory {@link StateStore} for the HTTP tests: rows and messages are put by the test (the
 * real read model is tested in persistence). The cursor is the index of the next row; a cursor that
 * is not a number fails with IllegalArgumentException, as the real one does. It records the filters
 * it was asked for.
 */
final class FakeHistory implements StateStore {

  final Map<String, AgentStateRow> rows = new ConcurrentHashMap<>();
  final Map<String, List<StoredMessage>> messages = new ConcurrentHashMap<>();
  final List<RunFilter> filters = new CopyOnWriteArrayList<>();

  void put(AgentStateRow row, List<StoredMessage> runMessages) {
    rows.put(row.runId(), row);
    messages.put(row.runId(), List.copyOf(runMessages));
  }

  @Override
  public CompletionStage<Optional<AgentStateRow>> load(String runId) {
    return CompletableFuture.completedFuture(Optional.ofNullable(rows.get(runId)));
  }

  @Override
  public CompletionStage<MessagePage> getMessages(
      String runId, int offset, int limit, boolean includeThinking) {
    List<StoredMessage> all = messages.getOrDefault(runId, List.of());
    List<StoredMessage> page = new ArrayList<>();
    for (int i = offset; i < all.size() && page.size() < limit; i++) {
      StoredMessage m = all.get(i);
      page.add(
          includeThinking
              ? m
              : new StoredMessage(
                  m.sequence(), m.role(), m.content(), m.toolCalls(), m.toolCallId(),
                  m.toolName(), null, m.error(), m.createdAt()));
    }
    return CompletableFuture.completedFuture(
        new MessagePage(page, all.size(), offset + page.size() < all.size()));
  }

  @Override
  public CompletionStage<RunPage> list(RunFilter filter, String cursor, int limit) {
    filters.add(filter);
    int start;
    try {
      start = cursor == null ? 0 : Integer.parseInt(cursor);
    } catch (NumberFormatException e) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("invalid cursor '" + cursor + "'"));
    }
    List<AgentStateRow> matching =
        rows.values().stream()
            .filter(row -> filter.status() == null || row.status() == filter.status())
            .filter(row -> filter.agentType() == null || row.agentType().equals(filter.agentType()))
            .filter(row -> !filter.rootsOnly() || row.parentAgentId() == null)
            .sorted(Comparator.comparingLong(AgentStateRow::createdAt).reversed())
            .toList();
    int end = Math.min(matching.size(), start + limit);
    List<AgentStateRow> page = start >= matching.size() ? List.of() : matching.subList(start, end);
    return CompletableFuture.completedFuture(
        new RunPage(page, end < matching.size() ? Integer.toString(end) : null));
  }

  @Override
  public CompletionStage<List<ProjectionLag>> lag() {
    return CompletableFuture.completedFuture(List.of());
  }
}
