package io.helix.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.helix.json.Json;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration type, the settings, tool names and results: no server needed. */
class McpConfigTest {

  @Test
  void aServerIsEitherACommandOrAUrl() {
    McpServerConfig stdio = McpServerConfig.stdio("fs", List.of("npx", "-y", "server"), Map.of("TOKEN", "secret"));
    assertTrue(stdio.isStdio());
    McpServerConfig http = McpServerConfig.http("remote", "https://mcp.example.com/mcp", Map.of("Authorization", "Bearer secret"));
    assertFalse(http.isStdio());

    assertThrows(IllegalArgumentException.class, () -> new McpServerConfig("both", List.of("x"), null, "http://h/mcp", null));
    assertThrows(IllegalArgumentException.class, () -> new McpServerConfig("neither", null, null, null, null));
    assertThrows(IllegalArgumentException.class, () -> McpServerConfig.http("ftp", "ftp://h/mcp"));
    assertThrows(IllegalArgumentException.class, () -> new McpServerConfig("envs", null, Map.of("A", "b"), "http://h/mcp", null));
    assertThrows(IllegalArgumentException.class, () -> new McpServerConfig("heads", List.of("x"), null, null, Map.of("A", "b")));
    assertThrows(IllegalArgumentException.class, () -> McpServerConfig.stdio("a__b", "x"));
    assertThrows(IllegalArgumentException.class, () -> McpServerConfig.stdio("with space", "x"));
  }

  @Test
  void itsTextShowsNoSecrets() {
    String stdio = McpServerConfig.stdio("fs", List.of("server"), Map.of("TOKEN", "s3cret")).toString();
    String http = McpServerConfig.http("r", "https://h/mcp", Map.of("Authorization", "Bearer s3cret")).toString();
    assertTrue(stdio.contains("TOKEN") && !stdio.contains("s3cret"), stdio);
    assertTrue(http.contains("Authorization") && !http.contains("s3cret"), http);
  }

  @Test
  void toolNamesAreServerUnderscoreToolInTheCharactersModelsTake() {
    assertEquals("everything__get-sum", McpTools.toolName("everything", "get-sum"));
    assertEquals("fs__read_file_v2", McpTools.toolName("fs", "read.file/v2"));
    assertEquals(64, McpTools.toolName("s", "x".repeat(100)).length());
  }

  @Test
  void settingsComeFromHelixMcpAndBackOffUpToTheirMax() {
    McpSettings defaults = McpSettings.fromConfig(ConfigFactory.empty());
    assertEquals(Duration.ofSeconds(60), defaults.requestTimeout());
    assertEquals(Duration.ofMillis(200), defaults.backoff(1));
    assertEquals(Duration.ofMillis(400), defaults.backoff(2));
    assertEquals(Duration.ofSeconds(30), defaults.backoff(50));
    McpSettings tuned = McpSettings.fromConfig(ConfigFactory.parseString("helix.mcp.request-timeout = 5s"));
    assertEquals(Duration.ofSeconds(5), tuned.requestTimeout());
    assertThrows(IllegalArgumentException.class,
        () -> new McpSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1)));
  }

  @Test
  void resultsBecomeJson() {
    McpSchema.CallToolResult text =
        new McpSchema.CallToolResult(
            List.of(new McpSchema.TextContent("one"), new McpSchema.TextContent("two")), false, null, null);
    assertEquals("one\ntwo", McpResults.toJson(text).asText());

    McpSchema.CallToolResult structured =
        new McpSchema.CallToolResult(List.of(new McpSchema.TextContent("{}")), false, Map.of("n", 1), null);
    assertEquals(1, McpResults.toJson(structured).get("n").asInt());

    McpSchema.CallToolResult image =
        new McpSchema.CallToolResult(
            List.of(new McpSchema.ImageContent(null, "AAAA", "image/png")), false, null, null);
    JsonNode blocks = McpResults.toJson(image);
    assertEquals("image", blocks.get(0).get("type").asText());
    assertEquals("image/png", blocks.get(0).get("mimeType").asText());

    McpSchema.CallToolResult failed =
        new McpSchema.CallToolResult(List.of(new McpSchema.TextContent("bad input")), true, null, null);
    assertEquals("bad input", McpResults.errorText(failed));

    assertEquals("object", McpResults.inputSchema(Map.of()).get("type").asText());
    assertEquals(Json.parse("{\"type\":\"object\",\"properties\":{}}"),
        McpResults.inputSchema(Map.of("type", "object", "properties", Map.of())));
  }
}
