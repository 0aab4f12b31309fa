package io.helix.examples;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.AgentHandle;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.model.ModelCatalog;
import io.helix.stream.StreamChunk;
import io.helix.testkit.TestRuntime;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The example agents on the offline model exercise the whole pipeline. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExampleAgentsTest {

  private final TestRuntime runtime =
      TestRuntime.start(
          ExampleAgents.registry(
              OfflineModel.MODEL_ID, new FetchUrl.Settings(Set.of(), 1000, Duration.ofSeconds(1))),
          new ModelCatalog().register(OfflineModel.PROVIDER, OfflineModel.create(Duration.ZERO)));

  @AfterAll
  void stop() {
    runtime.close();
  }


  @Test
  void researchComputesThenDelegatesToTheAnalyzer() throws Exception {
    AgentHandle handle = await(runtime.executor.execute("research", "What is (12 + 30) * 2?"));
    RunResult result = await(handle.result());
    assertEquals(RunStatus.completed, result.status());
    String output = result.output().asText();
    assertTrue(output.contains("\"value\":\"84\""), output);
    assertTrue(output.contains("The subagent__analyzer answered {") && output.contains("\"summary\""), output);
    assertEquals(3, result.steps(), "calculator, analyzer, answer");

    List<StreamChunk> chunks = await(handle.stream(0).runWith(Sink.seq(), runtime.testKit.system()));
    List<String> rootTypes =
        chunks.stream().filter(c -> c.runId().equals(handle.runId())).map(StreamChunk::type).distinct().toList();
    assertEquals(
        List.of("run_start", "text_delta", "tool_start", "tool_end", "subagent_start", "subagent_end", "output", "run_end"),
        rootTypes);
    assertTrue(
        chunks.stream().anyMatch(c -> c.agentType().equals("analyzer") && c.type().equals("output")),
        "the analyzer's chunks are on the research run's stream");
    assertEquals(handle.runId(), chunks.get(chunks.size() - 1).runId(), "the root run ends the stream");
  }

  @Test
  void analyzerFinishesWithStructuredOutput() throws Exception {
    RunResult result = await(await(runtime.executor.execute("analyzer", "one two three")).result());
    assertEquals(RunStatus.completed, result.status());
    assertTrue(result.output().get("summary").asText().startsWith("You wrote 3 words."), result.output().toString());
    assertEquals(1, result.output().get("points").size());
  }
}
