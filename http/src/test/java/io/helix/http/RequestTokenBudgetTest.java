package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.agent.AgentDefinition;
import io.helix.testkit.HitlAgents;
import io.helix.testkit.TestAgents;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A request's {@code maxTokens}, within the principal's ceiling ({@code
 * helix.http.quotas.max-tokens-per-run}): above it 400; it lowers the agent's budget; a request
 * that gives none gets the ceiling.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestTokenBudgetTest {

  static final String ALICE = QuotasTest.ALICE;

  /** Each step-1 response of HitlAgents' script uses 3 + 3 tokens; "roomy" may use 100. */
  private final TestServer server =
      new TestServer(
          "",
          agents ->
              agents.register(
                  AgentDefinition.builder("roomy")
                      .systemPrompt("You help.")
                      .model("hitl:test")
                      .tools(TestAgents.ADD, HitlAgents.SEND, HitlAgents.LOCATE)
                      .maxTokens(100)
                      .build()),
          models -> {});
  private final URI api =
      server.bind(
          server.runtime.executor,
          server
              .settings
              .withAuthTokens(List.of("alice:" + ALICE))
              .withQuotas(new HttpSettings.Quotas(0, 0, 0, 0, 20)),
          server.history);

  @AfterAll
  void stop() {
    server.close();
  }

  private HttpResponse<String> execute(String body) {
    return server.send(
        HttpRequest.newBuilder(api.resolve("/agent/execute"))
            .header("Authorization", "Bearer " + ALICE)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private JsonNode settled(String runId) throws Exception {
    for (int i = 0; i < 100; i++) {
      JsonNode run =
          TestServer.json(
              server.send(
                  HttpRequest.newBuilder(api.resolve("/agent/result/" + runId + "?wait=1"))
                      .header("Authorization", "Bearer " + ALICE)));
      if (!run.get("status").asText().equals("running")) {
        return run;
      }
    }
    throw new AssertionError("run " + runId + " did not settle");
  }

  @Test
  void aRequestAboveTheCeilingIs400AndNothingStarts() {
    HttpResponse<String> above =
        execute("{\"agentType\":\"roomy\",\"message\":\"where am I\",\"maxTokens\":21}");
    assertEquals(400, above.statusCode(), above.body());
    assertTrue(above.body().contains("20"), above.body());
    HttpResponse<String> notANumber =
        execute("{\"agentType\":\"roomy\",\"message\":\"where am I\",\"maxTokens\":\"lots\"}");
    assertEquals(400, notANumber.statusCode(), notANumber.body());
    HttpResponse<String> negative =
        execute("{\"agentType\":\"roomy\",\"message\":\"where am I\",\"maxTokens\":-1}");
    assertEquals(400, negative.statusCode(), negative.body());
  }

  @Test
  void aRequestsBudgetLowersTheAgentsAndTheCeilingIsTheDefault() throws Exception {
    String lowered =
        TestServer.json(execute("{\"agentType\":\"roomy\",\"message\":\"where am I\",\"maxTokens\":5}"))
            .get("runId")
            .asText();
    JsonNode failed = settled(lowered);
    assertEquals("failed", failed.get("status").asText(), failed.toString());
    assertEquals("token budget exceeded: used 6 of 5 tokens", failed.get("error").asText());

    String withinCeiling =
        TestServer.json(execute("{\"agentType\":\"roomy\",\"message\":\"where am I\"}"))
            .get("runId")
            .asText();
    JsonNode suspended = settled(withinCeiling);
    assertEquals("suspended", suspended.get("status").asText(), "6 tokens are within the ceiling's 20");

    JsonNode me =
        TestServer.json(
            server.send(
                HttpRequest.newBuilder(api.resolve("/agent/me"))
                    .header("Authorization", "Bearer " + ALICE)));
    assertEquals(20, me.get("quotas").get("maxTokensPerRun").asLong());
  }
}
