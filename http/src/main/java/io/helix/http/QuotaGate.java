package io.helix.http;

import io.helix.agent.AgentHandle;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The per-principal quotas of one node ({@link HttpSettings.Quotas}): a token bucket of new runs,
 * the runs started here that still run, and a count of open streams. In memory: a principal's use
 * of each node is counted by that node.
 */
final class QuotaGate extends AllDirectives {

  private final HttpSettings.Quotas quotas;
  private final LongSupplier nanoTime;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> streams = new ConcurrentHashMap<>();
  private final Map<String, Running> running = new ConcurrentHashMap<>();

  QuotaGate(HttpSettings.Quotas quotas) {
    this(quotas, System::nanoTime);
  }

  QuotaGate(HttpSettings.Quotas quotas, LongSupplier nanoTime) {
    this.quotas = quotas;
    this.nanoTime = nanoTime;
  }

  /** Takes a new run's token for {@code principal}; empty if allowed, else how long to wait. */
  Optional<Duration> execute(String principal) {
    if (quotas.executePerSecond() <= 0) {
      return Optional.empty();
    }
    return buckets
        .computeIfAbsent(principal, p -> new Bucket(Math.max(1, quotas.executeBurst()), nanoTime.getAsLong()))
        .take(quotas.executePerSecond(), Math.max(1, quotas.executeBurst()), nanoTime.getAsLong());
  }

  /** Opens a stream for {@code principal}: true if allowed ({@link #streamClosed} then), false if over. */
  boolean streamOpened(String principal) {
    if (quotas.streamsPerPrincipal() <= 0) {
      return true;
    }
    AtomicInteger open = streams.computeIfAbsent(principal, p -> new AtomicInteger());
    if (open.incrementAndGet() > quotas.streamsPerPrincipal()) {
      open.decrementAndGet();
      return false;
    }
    return true;
  }

  void streamClosed(String principal) {
    if (quotas.streamsPerPrincipal() > 0) {
      AtomicInteger open = streams.get(principal);
      if (open != null) {
        open.decrementAndGet();
      }
    }
  }

  /**
   * {@code inner} when the request's principal may start a run now ({@code
   * helix.http.quotas.execute-per-second}, {@code concurrent-runs-per-principal}), else 429 with
   * Retry-After. {@code inner} makes its start through the {@link RunSlot} it is given, which
   * refuses it (429) when the principal has its most runs running.
   */
  Route withRunQuota(Function<RunSlot, Route> inner) {
    return extractRequest(
        request -> {
          String principal = RequestGate.principalOf(request).name();
          Optional<Duration> wait = execute(principal);
          if (wait.isPresent()) {
            return complete(
                Problems.quotaExceeded(
                    "principal '" + principal + "' starts runs faster than its quota",
                    wait.get()));
          }
          int max = quotas.concurrentRunsPerPrincipal();
          if (max <= 0) {
            return inner.apply(java.util.function.Supplier::get);
          }
          Running mine = running.computeIfAbsent(principal, p -> new Running());
          return inner.apply(
              start -> {
                if (!mine.reserve(max)) {
                  return java.util.concurrent.CompletableFuture.failedFuture(
                      new ProblemException(
                          Problems.quotaExceeded(
                              "principal '" + principal + "' has " + max + " runs running on this node",
                              Duration.ofSeconds(1))));
                }
                return mine.track(start.get());
              });
        });
  }

  /**
   * Starts a run within its principal's quota of concurrent runs: the start is made only when the
   * principal has a run to spare (else the stage fails with a 429 problem), and the run counts as
   * running until it settles.
   */
  @FunctionalInterface
  interface RunSlot {
    CompletionStage<AgentHandle> start(java.util.function.Supplier<CompletionStage<AgentHandle>> start);
  }

  /** A principal's runs started on this node that have not settled, and starts under way. */
  private static final class Running {
    private final Set<String> runIds = new HashSet<>();
    private int reserved;

    synchronized boolean reserve(int max) {
      if (runIds.size() + reserved >= max) {
        return false;
      }
      reserved++;
      return true;
    }

    CompletionStage<AgentHandle> track(CompletionStage<AgentHandle> start) {
      return start.whenComplete(
          (handle, error) -> {
            boolean added;
            synchronized (this) {
              reserved--;
              added = error == null && runIds.add(handle.runId());
            }
            if (added) {
              // counted until the run ends, waits for someone or is interrupted
              handle.result().whenComplete((run, failure) -> release(handle.runId()));
            }
          });
    }

    private synchronized void release(String runId) {
      runIds.remove(runId);
    }
  }

  /**
   * The token budget of a run whose request asked for {@code asked} (0: none) within the node's
   * ceiling ({@code helix.http.quotas.max-tokens-per-run}): 400 above it; the ceiling when the
   * request gives none.
   */
  Route withTokenBudget(long asked, Function<Long, Route> inner) {
    long ceiling = quotas.maxTokensPerRun();
    if (ceiling <= 0) {
      return inner.apply(asked);
    }
    if (asked > ceiling) {
      return complete(
          Problems.invalidRequest(
              "'maxTokens' " + asked + " is above the most a run may use here: " + ceiling));
    }
    return inner.apply(asked > 0 ? asked : ceiling);
  }

  /**
   * One of the request principal's streams ({@code helix.http.quotas.streams-per-principal}) for
   * {@code inner}, which is given what to run when the stream ends; 429 when all are in use.
   */
  Route withStreamSlot(Function<Runnable, Route> inner) {
    return extractRequest(
        request -> {
          String principal = RequestGate.principalOf(request).name();
          if (!streamOpened(principal)) {
            return complete(
                Problems.quotaExceeded(
                    "principal '" + principal + "' has all its streams open on this node",
                    java.time.Duration.ofSeconds(5)));
          }
          java.util.concurrent.atomic.AtomicBoolean released =
              new java.util.concurrent.atomic.AtomicBoolean();
          return inner.apply(
              () -> {
                if (released.compareAndSet(false, true)) {
                  streamClosed(principal);
                }
              });
        });
  }

  /** A token bucket: refilled at {@code rate} per second up to {@code burst}. */
  private static final class Bucket {
    private double tokens;
    private long updated;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.updated = now;
    }

    synchronized Optional<Duration> take(double rate, int burst, long now) {
      tokens = Math.min(burst, tokens + (now - updated) / 1e9 * rate);
      updated = now;
      if (tokens >= 1) {
        tokens -= 1;
        return Optional.empty();
      }
      return Optional.of(Duration.ofMillis((long) Math.ceil((1 - tokens) / rate * 1000)));
    }
  }
}
