package io.helix.examples;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.helix.agent.AgentDefinition;
import io.helix.agent.Tool;
import io.helix.json.Json;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code assistant} example: a helper with a person in the loop. {@code send_email} needs a
 * person's approval before it runs (it sends nothing: it appends the email to the run's state,
 * {@code outbox}); {@code get_user_location} is executed by the client (the user's browser answers
 * it with {@code POST /agent/tool-result}); {@code calculator} computes.
 */
public final class Assistant {

  /** An email to send. */
  public record Email(
      @JsonProperty(required = true) @JsonPropertyDescription("the recipient's address") String to,
      @JsonProperty(required = true) @JsonPropertyDescription("the subject") String subject,
      @JsonProperty(required = true) @JsonPropertyDescription("the text") String body) {}

  /** No input. */
  public record Nothing() {}

  /** Where the user is, as the client answers. */
  public record Location(
      @JsonProperty(required = true) @JsonPropertyDescription("the user's city") String city) {}

  private Assistant() {}

  /** Sends (here: files in the outbox) an email, once a person approved it. */
  public static final Tool SEND_EMAIL =
      Tool.of(
              "send_email",
              "Sends an email (a person approves each one first)",
              Email.class,
              (email, context) -> {
                context.updateState(
                    state -> {
                      ArrayNode outbox =
                          state.has("outbox") ? (ArrayNode) state.get("outbox") : state.putArray("outbox");
                      outbox
                          .addObject()
                          .put("to", email.to())
                          .put("subject", email.subject())
                          .put("body", email.body())
                          .put("idempotencyKey", context.idempotencyKey());
                    });
                return CompletableFuture.completedFuture(
                    Json.object().put("sent", true).put("to", email.to()));
              })
          .requireApproval();

  /** The user's location, which only the user's client can tell. */
  public static final Tool GET_USER_LOCATION =
      Tool.client(
          "get_user_location", "The user's current city, from the user's device", Nothing.class, Location.class);

  /** The agent on {@code model}. */
  public static AgentDefinition agent(String model, String note) {
    return AgentDefinition.builder("assistant")
        .description("A helper that emails (with your approval) and asks your device where you are" + note)
        .systemPrompt(
            "You are a helpful assistant. Use send_email to send emails (a person approves each),"
                + " get_user_location to learn where the user is, and the calculator for arithmetic.")
        .model(model)
        .tools(Calculator.tool(), SEND_EMAIL, GET_USER_LOCATION)
        .maxSteps(10)
        .build();
  }
}
