package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentDefinition;
import io.helix.testkit.HitlAgents;
import io.helix.testkit.TestAgents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The token budget of a run: an agent's own {@code maxTokens}, else {@code helix.run.max-tokens},
 * shown in {@code GET /agent/agents} and failing a run that goes beyond it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenBudgetHttpTest {

  /** Each step-1 response of HitlAgents' script uses 3 + 3 tokens. */
  private final TestServer server =
      new TestServer(
          "helix.run.max-tokens = 5",
          agents ->
              agents.register(
                  AgentDefinition.builder("roomy")
                      .systemPrompt("You help.")
                      .model("hitl:test")
                      .tools(TestAgents.ADD, HitlAgents.SEND, HitlAgents.LOCATE)
                      .maxTokens(100)
                      .build()),
          models -> {});

  @AfterAll
  void stop() {
    server.close();
  }


  private JsonNode ended(String agentType, String message, String runId, String status) {
    server.execute(agentType, message, runId);
    return server.settled(runId, status);
  }

  @Test
  void theAgentsShowTheirBudgets() {
    JsonNode agents = TestServer.json(server.get("/agent/agents")).get("agents");
    for (JsonNode agent : agents) {
      long expected = agent.get("name").asText().equals("roomy") ? 100 : 5;
      assertEquals(expected, agent.get("maxTokens").asLong(), agent.toString());
    }
  }

  @Test
  void aRunBeyondTheDefaultBudgetFailsWithoutRunningTheCallsItsLastResponseAskedFor() {
    int sentBefore = HitlAgents.SENT.get();
    JsonNode failed = ended("hitl", "send it", "budget-default", "failed");
    assertEquals("token budget exceeded: used 6 of 5 tokens", failed.get("error").asText());
    assertEquals(1, failed.get("steps").asInt(), "the response is kept");
    JsonNode usage = failed.get("usage");
    assertEquals(6, usage.get("inputTokens").asLong() + usage.get("outputTokens").asLong());
    assertTrue(failed.path("pending").isMissingNode() || failed.get("pending").isEmpty());
    assertEquals(sentBefore, HitlAgents.SENT.get(), "no approval was asked for, nothing sent");
  }

  @Test
  void anAgentsOwnBudgetTakesPrecedence() {
    JsonNode suspended = ended("roomy", "where am I", "budget-own", "suspended");
    assertEquals("client_tool", suspended.get("pending").get(0).get("kind").asText());
  }
}
