package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helix.agent.AgentDefinition;
import io.helix.agent.Tool;
import io.helix.testkit.TestAgents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentsFileTest {

  private static final Map<String, Tool> TOOLS = Map.of("add", TestAgents.ADD);

  private static Path file(String yaml) throws Exception {
    Path file = Files.createTempFile("agents", ".yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void agentsWithToolsSubAgentsAndASchema() throws Exception {
    List<AgentDefinition> agents =
        AgentsFile.load(
            file(
                """
                agents:
                  - name: planner
                    description: plans
                    systemPrompt: You plan.
                    model: openai:gpt-4o-mini
                    maxSteps: 7
                    maxTokens: 20000
                    tools: [add]
                    subAgents: [summarizer]
                    initialState: {notes: 0}
                  - name: summarizer
                    systemPrompt: You summarize.
                    model: anthropic:claude-sonnet-4-5
                    deadline: PT2M
                    outputSchema:
                      type: object
                      properties: {summary: {type: string}}
                      required: [summary]
                """),
            TOOLS);
    assertEquals(List.of("planner", "summarizer"), agents.stream().map(AgentDefinition::name).toList());
    AgentDefinition planner = agents.get(0);
    assertEquals(7, planner.maxSteps());
    assertEquals(20_000, planner.maxTokens());
    assertEquals(0, agents.get(1).maxTokens(), "none of its own: the node's default");
    assertEquals("openai:gpt-4o-mini", planner.model());
    assertEquals(List.of("add"), planner.tools().stream().map(Tool::name).toList());
    assertEquals("summarizer", planner.subAgents().get(0).name());
    assertEquals(0, planner.initialState().get("notes").asInt());
    AgentDefinition summarizer = agents.get(1);
    assertEquals("string", summarizer.outputSchema().at("/properties/summary/type").asText());
    assertEquals(java.time.Duration.ofMinutes(2), summarizer.deadline());
    assertTrue(planner.subAgents().get(0) == summarizer, "one definition per agent");
  }

  @Test
  void everyMistakeIsNamedWithItsFieldAndReason() throws Exception {
    String agent = "  - name: a\n    systemPrompt: p\n    model: openai:m\n";
    assertError("agents[0].systemPromt: unknown field", agent + "    systemPromt: typo\n");
    assertError("agent 'a'.tools: no tool named 'nope'", agent + "    tools: [nope]\n");
    assertError("agent 'a'.maxSteps: must be a whole number of at least 1, was 0", agent + "    maxSteps: 0\n");
    assertError("agent 'a'.maxSteps: must be a whole number", agent + "    maxSteps: many\n");
    assertError("agent 'a'.maxTokens: must be a whole number of at least 1, was 0", agent + "    maxTokens: 0\n");
    assertError("agent 'a'.maxTokens: must be a whole number", agent + "    maxTokens: 1.5\n");
    assertError("agent 'a'.model: must be provider:model", "  - name: a\n    systemPrompt: p\n    model: gpt\n");
    assertError("agent 'a'.systemPrompt: is required", "  - name: a\n    model: openai:m\n");
    assertError("agents[0].name: is required", "  - systemPrompt: p\n    model: openai:m\n");
    assertError("agent 'a'.subAgents: no agent named 'b'", agent + "    subAgents: [b]\n");
    assertError("agent 'a'.subAgents: sub-agents form a cycle", agent + "    subAgents: [a]\n");
    assertError("agents[1].name: 'a' is declared twice", agent + agent);
    assertError("agent 'a'.outputSchema: must be a JSON Schema object", agent + "    outputSchema: 3\n");
    assertError("agent 'a'.deadline: must be an ISO-8601 duration", agent + "    deadline: soon\n");
    assertError("agent 'a'.mcpServers: no MCP server named 'x'", agent + "    mcpServers: [x]\n");
    assertError("agents: must be a list of at least one agent", "");
  }

  @Test
  void mcpServersAreValidated() throws Exception {
    String agents = "agents:\n  - name: a\n    systemPrompt: p\n    model: openai:m\n";
    assertFileError(
        "mcpServers.s: needs exactly one of command (a list) and url",
        "mcpServers:\n  s: {env: {A: b}}\n" + agents);
    assertFileError(
        "mcpServers.s.command: must be a non-empty list",
        "mcpServers:\n  s: {command: []}\n" + agents);
    assertFileError(
        "mcpServers.s.url: must be an http:// or https:// URL",
        "mcpServers:\n  s: {url: ftp://x}\n" + agents);
    assertFileError("mcpServers.s.cwd: unknown field", "mcpServers:\n  s: {url: 'http://127.0.0.1:1/mcp', cwd: x}\n" + agents);
  }

  @Test
  void unreadableFilesAreNamed() throws Exception {
    Path missing = Path.of("/nonexistent/agents.yaml");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> AgentsFile.load(missing, TOOLS));
    assertTrue(e.getMessage().startsWith(missing + ": cannot be read"), e.getMessage());
    Path broken = file("agents: [\n");
    e = assertThrows(IllegalStateException.class, () -> AgentsFile.load(broken, TOOLS));
    assertTrue(e.getMessage().startsWith(broken + ": cannot be read"), e.getMessage());
  }

  private static void assertError(String expected, String agentsYaml) throws Exception {
    assertFileError(expected, "agents:\n" + agentsYaml);
  }

  private static void assertFileError(String expected, String yaml) throws Exception {
    Path file = file(yaml);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> AgentsFile.load(file, TOOLS), yaml);
    assertTrue(
        e.getMessage().startsWith(file + ": " + expected),
        "expected '" + file + ": " + expected + "...' but was '" + e.getMessage() + "'");
  }
}
