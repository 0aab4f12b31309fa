package io.helix.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.json.Json;
import io.helix.model.ToolSpec;
import io.helix.testkit.TestAgents;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ToolSourceTest {

  record Nothing() {}

  private static Tool named(String name) {
    return Tool.of(name, "the tool " + name, Nothing.class,
        (input, ctx) -> CompletableFuture.completedFuture(Json.object()));
  }

  @Test
  void modelToolsAndToolLookupConsultTheSourcesAtEachUse() {
    AtomicReference<List<Tool>> current = new AtomicReference<>(List.of(named("srv__a")));
    AgentDefinition agent =
        AgentDefinition.builder("dynamic")
            .model("scripted:test")
            .tools(TestAgents.ADD)
            .toolSource(current::get)
            .build();

    assertEquals(List.of("add", "srv__a"), agent.modelTools().stream().map(ToolSpec::name).toList());
    assertTrue(agent.tool("srv__a").isPresent());
    assertTrue(agent.tool("srv__b").isEmpty());

    Tool b = named("srv__b");
    current.set(List.of(b));
    assertEquals(List.of("add", "srv__b"), agent.modelTools().stream().map(ToolSpec::name).toList());
    assertTrue(agent.tool("srv__a").isEmpty(), "a tool the source dropped is gone");
    assertSame(b, agent.tool("srv__b").orElseThrow());
  }

  @Test
  void aSourcedToolWhoseNameIsTakenIsNotOffered() {
    Tool ownAdd = TestAgents.ADD;
    AgentDefinition sub = AgentDefinition.builder("helper").model("scripted:test").build();
    AgentDefinition agent =
        AgentDefinition.builder("clash")
            .model("scripted:test")
            .tools(ownAdd)
            .subAgent(sub)
            .outputSchema(Json.parse("{\"type\":\"object\"}"))
            .toolSource(ToolSource.of(List.of(named("add"), named("x"), named("subagent__helper"))))
            .toolSource(ToolSource.of(List.of(named("x"), named(AgentDefinition.FINISH_TOOL))))
            .build();

    assertEquals(
        List.of("add", "x", "subagent__helper", AgentDefinition.FINISH_TOOL),
        agent.modelTools().stream().map(ToolSpec::name).toList());
    assertSame(ownAdd, agent.tool("add").orElseThrow(), "the agent's own tool wins");
    assertEquals(List.of("add", "x"), agent.offeredTools().stream().map(Tool::name).toList());
  }

  @Test
  void theFormerConstructorAndWithModelKeepTheSources() {
    AgentDefinition plain =
        new AgentDefinition("p", "", "", List.of(), "a:b", 3, null, null, null, null);
    assertEquals(List.of(), plain.toolSources());
    AgentDefinition sourced =
        AgentDefinition.builder("s").model("a:b").toolSource(ToolSource.of(List.of(named("t")))).build();
    assertEquals(1, sourced.withModel("c:d").toolSources().size());
    assertTrue(sourced.withModel("c:d").tool("t").isPresent());
  }
}
