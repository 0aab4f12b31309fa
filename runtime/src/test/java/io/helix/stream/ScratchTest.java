package io.helix.stream;

import io.helix.agent.AgentRegistry;
import io.helix.json.Json;
import io.helix.model.ModelCatalog;
import io.helix.testkit.TestRuntime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void appendRate() throws Exception {
    try (TestRuntime rt = TestRuntime.start(new AgentRegistry(), new ModelCatalog())) {
      Streams streams = Streams.start(rt.testKit.system());
      for (int round = 0; round < 3; round++) {
        String id = "s" + round;
        long t0 = System.nanoTime();
        for (int i = 0; i < 400; i++) {
          streams.append(id, List.of(StreamChunk.of("text_delta", id, "t", 1, 0, Json.object().put("delta", "x"))), false);
        }
        streams.append(id, List.of(), true);
        long t1 = System.nanoTime();
        while (streams.status(id).toCompletableFuture().get().nextOffset() < 400) { Thread.sleep(1); }
        System.out.printf("durable after %.1f ms%n", (System.nanoTime()-t0)/1e6);
        var all = streams.subscribe(id, 0).runWith(Sink.seq(), rt.testKit.system()).toCompletableFuture().get(60, TimeUnit.SECONDS);
        long t2 = System.nanoTime();
        System.out.printf("round %d: send %.1f ms, all %d after %.1f ms%n", round, (t1-t0)/1e6, all.size(), (t2-t0)/1e6);
      }
    }
  }
}
