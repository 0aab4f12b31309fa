package io.helix.http;

import com.typesafe.config.Config;
import io.helix.agent.AgentHandle;
import io.helix.agent.AgentRegistry;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.model.ScriptedModel;
import io.helix.persistence.DatabaseMigrations;
import io.helix.persistence.DatabaseSettings;
import io.helix.stream.ChunkTypes;
import io.helix.stream.StreamChunk;
import io.helix.stream.Streams;
import io.helix.testkit.TestAgents;
import io.helix.testkit.TestRuntime;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * Stream fan-out benchmark (not a test): the delay from append to receipt, p50 and p99, for 1, 100
 * and 1,000 WebSocket subscribers of one stream, on one node over loopback (DESIGN.md §9).
 *
 * <p>Each round holds a run open (its model never answers), connects the subscribers to its stream
 * at {@code /ws/{streamId}}, then appends {@code batch} chunks every {@code interval} straight to
 * the stream entity, each carrying the {@link System#nanoTime()} of its append; a subscriber's
 * delay for a chunk is its receipt time minus that. The clock is one JVM's, so the figures include
 * the journal write (chunks are pushed only once durable), the fan-out and the WebSocket server.
 * The subscribers are plain sockets read by one selector thread, so they take little of the cores
 * the server runs on.
 *
 * <p>The bench runs in Maven's JVM, so its GC is {@code MAVEN_OPTS}'s. On two cores the JVM picks
 * G1, whose card refinement (each stage hop of each connection stores a young element in an old
 * interpreter object) took about a third of the CPU of 1,000 frame-per-chunk subscribers, enough
 * to saturate both cores; {@code MAVEN_OPTS=-XX:+UseParallelGC} roughly halved the JVM's CPU in
 * that round. Say which GC a figure was taken with.
 *
 * <pre>
 * mvn -q -B install -DskipTests && mvn -q -B -pl http test-compile exec:java
 * # options: -Dbench.journal=h2|memory -Dbench.appends=300 -Dbench.batch=1 -Dbench.interval=20ms
 * #          -Dbench.subscribers=1,100,1000 -Dbench.frames=chunk,batched
 * </pre>
 */
public final class StreamFanoutBench {

  private StreamFanoutBench() {}

  public static void main(String[] args) throws Exception {
    String journal = System.getProperty("bench.journal", "h2");
    int chunks = Integer.getInteger("bench.appends", 300);
    int batch = Integer.getInteger("bench.batch", 1);
    Duration interval =
        Duration.ofMillis(
            Long.parseLong(System.getProperty("bench.interval", "20ms").replace("ms", "")));
    // "chunk": a frame per chunk; "batched": ?batch=true, several chunks per frame when behind
    List<String> frameModes =
        List.of(System.getProperty("bench.frames", "chunk,batched").split(","));
    int[] counts =
        Arrays.stream(System.getProperty("bench.subscribers", "1,100,1000").split(","))
            .mapToInt(s -> Integer.parseInt(s.trim()))
            .toArray();

    String extra =
        """
        pekko.http.server.max-connections = 4096
        pekko.http.server.backlog = 1024
        pekko.loglevel = WARNING
        """;
    Config config;
    if (journal.equals("h2")) {
      Path dir = Files.createTempDirectory("helix-bench-db");
      config =
          DatabaseSettings.withJournal(
              TestRuntime.config(
                  extra
                      + """
                      helix.data-dir = "%s"
                      pekko.persistence.journal.plugin = "jdbc-journal"
                      pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
                      """
                          .formatted(dir.toAbsolutePath())));
      DatabaseMigrations.migrate(DatabaseSettings.fromConfig(config));
    } else {
      config = TestRuntime.config(extra);
    }

    GatedModel silent = new GatedModel(new ScriptedModel(request -> ScriptedModel.answer("bye")));
    AgentRegistry agents =
        new AgentRegistry().register(TestAgents.adder("holder", 2).withModel("silent:bench"));
    TestRuntime runtime =
        TestRuntime.start(agents, new ModelCatalog().register("silent", silent), config);
    try {
      HttpSettings settings = HttpSettings.fromConfig(config);
      HttpApi api = new HttpApi(runtime.executor, agents, settings);
      ServerBinding binding =
          api
              .bind(runtime.testKit.system(), "127.0.0.1", 0)
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      URI base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort());
      Streams streams = Streams.start(runtime.testKit.system());

      System.out.printf(
          "stream fan-out over WebSocket, journal %s: %d appends per round, one every %d ms, %d"
              + " chunk(s) each; %d cores%n",
          journal, chunks, interval.toMillis(), batch, Runtime.getRuntime().availableProcessors());
      System.out.printf(
          "%8s %12s %10s %10s %10s %10s %12s%n",
          "frames", "subscribers", "p50 ms", "p99 ms", "max ms", "receipts", "receipts/s");
      // a short warm-up round, not reported
      round(runtime, api, streams, base, "chunk", 10, 100, batch, interval, null);
      for (String frames : frameModes) {
        for (int count : counts) {
          round(runtime, api, streams, base, frames.trim(), count, chunks, batch, interval, System.out);
        }
      }
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      silent.gate.complete(null);
      runtime.close();
    }
    System.exit(0);
  }

  /**
   * The subscribers: plain sockets read by one selector thread, parsing WebSocket frames by hand
   * (server frames are unmasked), so the clients cost little next to the server under test.
   */
  private static final class Subscribers implements AutoCloseable {
    private static final byte[] SENT = "\"sent\":".getBytes(StandardCharsets.US_ASCII);

    private final Selector selector = Selector.open();
    private final List<SocketChannel> channels = new ArrayList<>();
    private final long[] delays;
    private final int perSubscriber;
    private final AtomicInteger received = new AtomicInteger();
    private final CompletableFuture<Void> allReceived = new CompletableFuture<>();
    private final Thread reader;

    /** One subscriber's unread bytes. */
    private static final class Connection {
      final ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
    }

    Subscribers(URI base, String path, int count, int perSubscriber) throws Exception {
      this.perSubscriber = perSubscriber;
      this.delays = new long[count * perSubscriber];
      for (int i = 0; i < count; i++) {
        SocketChannel channel = WsFleet.requestUpgrade(base, path);
        Connection connection = new Connection();
        WsFleet.readHead(channel, connection.buffer);
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_READ, connection);
        channels.add(channel);
      }
      reader = new Thread(this::read, "bench-subscribers");
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      try {
        while (!allReceived.isDone()) {
          selector.select(100);
          for (SelectionKey key : selector.selectedKeys()) {
            Connection connection = (Connection) key.attachment();
            long now = System.nanoTime();
            if (((SocketChannel) key.channel()).read(connection.buffer) < 0) {
              key.cancel();
            }
            frames(connection.buffer, now);
          }
          selector.selectedKeys().clear();
        }
      } catch (Exception e) {
        allReceived.completeExceptionally(e);
      }
    }

    /** Parses the complete frames in the buffer and records the delay of each benchmark chunk. */
    private void frames(ByteBuffer buffer, long now) {
      buffer.flip();
      while (buffer.remaining() >= 2) {
        int start = buffer.position();
        int opcode = buffer.get(start) & 0x0F;
        int length = buffer.get(start + 1) & 0x7F;
        int header = 2;
        if (length == 126) {
          if (buffer.remaining() < 4) {
            break;
          }
          length = ((buffer.get(start + 2) & 0xFF) << 8) | (buffer.get(start + 3) & 0xFF);
          header = 4;
        } else if (length == 127) {
          throw new IllegalStateException("no frame is that long here");
        }
        if (buffer.remaining() < header + length) {
          break;
        }
        if (opcode == 1) {
          sent(buffer, start + header, start + header + length, now);
        }
        buffer.position(start + header + length);
      }
      buffer.compact();
    }

    private void sent(ByteBuffer buffer, int from, int to, long now) {
      byte[] bytes = buffer.array();
      outer:
      for (int i = from; i + SENT.length < to; i++) {
        for (int j = 0; j < SENT.length; j++) {
          if (bytes[i + j] != SENT[j]) {
            continue outer;
          }
        }
        long sent = 0;
        for (int k = i + SENT.length; k < to && Character.isDigit(bytes[k]); k++) {
          sent = sent * 10 + (bytes[k] - '0');
        }
        int n = received.getAndIncrement();
        if (n < delays.length) {
          delays[n] = now - sent;
        }
        if (n + 1 == delays.length) {
          allReceived.complete(null);
        }
        // a batched frame carries several chunks
        i += SENT.length;
      }
    }

    @Override
    public void close() throws Exception {
      allReceived.complete(null);
      reader.join(5000);
      for (SocketChannel channel : channels) {
        channel.close();
      }
      selector.close();
    }
  }

  private static void round(
      TestRuntime runtime,
      HttpApi api,
      Streams streams,
      URI base,
      String frames,
      int subscribers,
      int chunks,
      int batch,
      Duration interval,
      java.io.PrintStream out)
      throws Exception {
    AgentHandle run = runtime.executor.execute("holder", "hold").toCompletableFuture().get();
    String streamId = run.streamId();
    TestRuntime.awaitCondition(
        () -> run.streamStatus().toCompletableFuture().join().nextOffset() > 0,
        Duration.ofSeconds(10));
    long from = run.streamStatus().toCompletableFuture().get().nextOffset();

    Subscribers receivers =
        new Subscribers(
            base,
            "/ws/" + streamId + "?from=" + from + (frames.equals("batched") ? "&batch=true" : ""),
            subscribers,
            chunks * batch);
    TestRuntime.awaitCondition(
        () -> api.hubs().localSubscribers(streamId) == subscribers,
        Duration.ofSeconds(30));

    long start = System.nanoTime();
    long next = start;
    for (int i = 0; i < chunks; i++) {
      next += interval.toNanos();
      long sent = System.nanoTime();
      List<StreamChunk> append = new ArrayList<>(batch);
      for (int b = 0; b < batch; b++) {
        append.add(
            StreamChunk.of(
                ChunkTypes.CUSTOM,
                streamId,
                "bench",
                0,
                System.currentTimeMillis(),
                Json.object().put("sent", sent)));
      }
      streams.append(streamId, append, false);
      LockSupport.parkNanos(next - System.nanoTime());
    }
    receivers.allReceived.get(120, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    run.abort("round done").toCompletableFuture().get(10, TimeUnit.SECONDS);
    receivers.close();

    long[] all = receivers.delays;
    Arrays.sort(all);
    if (out != null) {
      out.printf(
          "%8s %12d %10.2f %10.2f %10.2f %10d %12.0f%n",
          frames,
          subscribers,
          all[all.length / 2] / 1e6,
          all[(int) Math.min(all.length - 1, Math.ceil(all.length * 0.99) - 1)] / 1e6,
          all[all.length - 1] / 1e6,
          all.length,
          all.length / seconds);
    }
  }
}
