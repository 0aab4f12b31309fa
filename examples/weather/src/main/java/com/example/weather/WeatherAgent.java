package com.example.weather;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.helix.agent.AgentDefinition;
import io.helix.agent.Tool;
import io.helix.server.HelixServer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A weather agent with one tool, served by Helix from this project's own main. */
public final class WeatherAgent {

  /** The forecast tool's input. */
  public record City(
      @JsonProperty(required = true) @JsonPropertyDescription("the city, e.g. Lisbon") String city) {}

  /** The forecast tool's result. */
  public record Forecast(String city, int celsius, String sky) {}

  private static final Map<String, Forecast> FORECASTS =
      Map.of(
          "lisbon", new Forecast("Lisbon", 21, "sunny"),
          "oslo", new Forecast("Oslo", -3, "snow"));

  private WeatherAgent() {}

  /** Today's forecast for a city (a fixed table here: a real tool would call a weather API). */
  public static final Tool FORECAST =
      Tool.of(
          "forecast",
          "Today's weather forecast for a city",
          City.class,
          (input, context) ->
              CompletableFuture.completedFuture(
                  FORECASTS.getOrDefault(
                      input.city().toLowerCase(), new Forecast(input.city(), 15, "unknown"))));

  /** The agent, on {@code model} ({@code provider:model}). */
  public static AgentDefinition agent(String model) {
    return AgentDefinition.builder("weather")
        .description("Answers questions about today's weather")
        .systemPrompt("You answer questions about the weather. Use the forecast tool.")
        .model(model)
        .tools(FORECAST)
        .maxSteps(5)
        .build();
  }

  /** Starts a node with the weather agent on {@code HELIX_DEFAULT_MODEL} (e.g. openai:gpt-4o-mini). */
  public static void main(String[] args) throws Exception {
    String model = System.getenv().getOrDefault("HELIX_DEFAULT_MODEL", "openai:gpt-4o-mini");
    HelixServer.builder().agents(agent(model)).start();
  }
}
