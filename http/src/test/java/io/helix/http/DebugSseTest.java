package io.helix.http;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class DebugSseTest {
  @Test
  void dump() throws Exception {
    try (TestServer server = new TestServer()) {
      String runId = server.execute("slow", "talk");
      HttpResponse<java.util.stream.Stream<String>> r =
          server.client.send(server.request("/agent/stream/" + runId).GET().build(), HttpResponse.BodyHandlers.ofLines());
      r.body().limit(20).forEach(l -> System.out.println("LINE[" + l + "]"));
    }
  }
}
