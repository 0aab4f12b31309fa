package io.helix.http;

import io.helix.agent.AgentExecutor;
import io.helix.agent.AgentRegistry;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What the API offers: {@code GET /agent/agents}, the agents with their tools, {@code GET
 * /agent/me}, who the caller is and what it may use, and {@code GET /openapi.json}, the OpenAPI
 * document of the API.
 */
final class AgentRoutes extends AllDirectives {

  private final AgentRegistry agents;
  private final AgentExecutor executor;
  private final RequestParsing requests;
  private final byte[] openApi = OpenApi.document();

  private final HttpSettings.Quotas quotas;
  private final RunDirectives runs;

  AgentRoutes(
      AgentRegistry agents,
      AgentExecutor executor,
      RequestParsing requests,
      HttpSettings.Quotas quotas,
      RunDirectives runs) {
    this.agents = agents;
    this.executor = executor;
    this.requests = requests;
    this.quotas = quotas;
    this.runs = runs;
  }

  /** The caller: its principal, scopes, and its quotas on this node (0: no limit). */
  Route me() {
    return requests.noParams(
        () ->
            runs.withPrincipal(
                principal -> {
                  var json = io.helix.json.Json.object();
                  json.put("principal", principal.name());
                  json.put("shared", Ownership.isShared(principal));
                  var scopes = json.putArray("scopes");
                  principal.scopes().stream().sorted().forEach(scopes::add);
                  var quota = json.putObject("quotas");
                  quota.put("executePerSecond", quotas.executePerSecond());
                  quota.put("executeBurst", quotas.executeBurst());
                  quota.put("concurrentRuns", quotas.concurrentRunsPerPrincipal());
                  quota.put("streams", quotas.streamsPerPrincipal());
                  quota.put("maxTokensPerRun", quotas.maxTokensPerRun());
                  return complete(Presenters.ok(json));
                }));
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
