package io.helix.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import io.helix.json.Json;
import io.helix.json.JsonSchemas;
import io.helix.model.AssistantMessage;
import io.helix.model.ModelException;
import io.helix.model.ModelRequest;
import io.helix.model.ToolCall;
import io.helix.model.ToolResultMessage;
import io.helix.model.UserMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Our messages and tool schemas as LangChain4j's, and back. */
class ConversationsTest {

  enum Unit { metric, imperial }

  record Address(@JsonPropertyDescription("the city") String city) {}

  record Query(
      @JsonPropertyDescription("what to look up") String text,
      int limit,
      Unit unit,
      List<String> tags,
      Address home,
      Address work) {}

  @Test
  void aGeneratedSchemaKeepsItsShape() {
    JsonObjectSchema schema = ToolSchemas.parameters(JsonSchemas.of(Query.class));
    assertEquals("what to look up", ((JsonStringSchema) schema.properties().get("text")).description());
    assertInstanceOf(JsonIntegerSchema.class, schema.properties().get("limit"));
    assertEquals(List.of("metric", "imperial"), ((JsonEnumSchema) schema.properties().get("unit")).enumValues());
    assertInstanceOf(JsonStringSchema.class, ((JsonArraySchema) schema.properties().get("tags")).items());
    assertEquals(Boolean.FALSE, schema.additionalProperties());
    // a type used twice is a $ref into $defs
    assertInstanceOf(JsonReferenceSchema.class, schema.properties().get("home"));
    JsonObjectSchema address = (JsonObjectSchema) schema.definitions().get("Address");
    assertEquals("the city", ((JsonStringSchema) address.properties().get("city")).description());
  }

  @Test
  void unusualSchemasPassThrough() {
    JsonObjectSchema schema =
        ToolSchemas.parameters(
            Json.parse(
                """
                {"type":"object","required":["x"],"properties":{
                  "x":{"type":["string","null"]},
                  "y":{"anyOf":[{"type":"integer"},{"type":"string"}]},
                  "z":{"oneOf":[{"const":1},{"const":2}]}}}
                """));
    assertEquals(List.of("x"), schema.required());
    assertInstanceOf(JsonAnyOfSchema.class, schema.properties().get("x"));
    assertEquals(2, ((JsonAnyOfSchema) schema.properties().get("y")).anyOf().size());
    assertInstanceOf(JsonRawSchema.class, schema.properties().get("z"));
    assertTrue(ToolSchemas.parameters(Json.object()).properties().isEmpty(), "no input: empty object");
  }

  @Test
  void messagesConvert() {
    AiMessage ai =
        (AiMessage)
            Conversations.toChatMessage(
                new AssistantMessage(
                    "", List.of(new ToolCall("c1", "add", Json.parse("{\"a\":1}"))), "secret thoughts"));
    assertNull(ai.text(), "no empty text block");
    assertNull(ai.thinking(), "thinking is not sent back (no signature)");
    assertEquals("{\"a\":1}", ai.toolExecutionRequests().get(0).arguments());

    ToolExecutionResultMessage ok =
        (ToolExecutionResultMessage)
            Conversations.toChatMessage(new ToolResultMessage("c1", "add", TextNode.valueOf("plain"), true, null));
    assertEquals("plain", ok.text());
    assertFalse(ok.isError());
    ToolExecutionResultMessage failed =
        (ToolExecutionResultMessage)
            Conversations.toChatMessage(new ToolResultMessage("c1", "add", null, false, "division by zero"));
    assertEquals("Error: division by zero", failed.text());
    assertTrue(failed.isError());
  }

  @Test
  void toolCallArgumentsThatAreNotJsonStayAString() {
    ToolCall call =
        Conversations.toToolCall(
            ToolExecutionRequest.builder().name("add").arguments("{\"a\": 1, \"b\"").build(), "call_0");
    assertEquals("call_0", call.id());
    assertEquals(TextNode.valueOf("{\"a\": 1, \"b\""), call.arguments());
    assertEquals(
        Json.object(),
        Conversations.toToolCall(ToolExecutionRequest.builder().id("x").name("now").arguments("").build(), "y")
            .arguments());
  }

  @Test
  void aModelIdWithoutAModelFailsWithoutARequest() throws Exception {
    var client =
        Providers.openAi(
            "openai", "http://127.0.0.1:9/v1", Secret.NONE, false,
            new HttpSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), 100));
    ModelException error =
        ProviderContract.failure(
            client.stream(
                new ModelRequest("", null, List.of(new UserMessage("hi")), List.of(), "r", 1), e -> {}));
    assertFalse(error.retryable());
    assertTrue(error.getMessage().contains("provider:model"), error.getMessage());
  }
}
