package io.helix.http;

import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentRegistry;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What the API offers: {@code GET /agent/agents}, the agents with their tools, and {@code GET
 * /openapi.json}, the OpenAPI document of the API.
 */
final class AgentRoutes extends AllDirectives {

  private final AgentRegistry agents;
  private final AgentExecutor executor;
  private final RequestParsing requests;
  private final byte[] openApi = OpenApi.document();

  AgentRoutes(AgentRegistry agents, AgentExecutor executor, RequestParsing requests) {
    this.agents = agents;
    this.executor = executor;
    this.requests = requests;
  }

  Route listAgents() {
    return requests.noParams(
        () -> complete(Presenters.ok(Presenters.agents(agents.all(), executor::tokenBudget))));
  }

  Route openApi() {
    return requests.noParams(
        () ->
            complete(
                HttpResponse.create()
                    .withStatus(StatusCodes.OK)
                    .withEntity(ContentTypes.APPLICATION_JSON, openApi)));
  }
}
