package io.helix.testkit;

import io.helix.agent.AgentDefinition;
import io.helix.agent.Tool;
import io.helix.json.Json;
import io.helix.model.Message;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import io.helix.model.ScriptedModel;
import io.helix.model.ToolResultMessage;
import io.helix.model.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An agent with a person in the loop, for the tests of several modules: {@code send} requires
 * approval (and counts its executions), {@code locate} is executed by the client (its result must
 * be {@code {"city": ...}}), and {@code add} is an ordinary tool.
 */
public final class HitlAgents {

  private HitlAgents() {}

  public record Email(String to, String body) {}

  public record Where(String precision) {}

  public record City(String city) {}

  /** Executions of {@code send}, by all agents of this class. */
  public static final AtomicInteger SENT = new AtomicInteger();

  public static final Tool SEND =
      Tool.of(
              "send",
              "Sends an email",
              Email.class,
              (in, ctx) -> {
                SENT.incrementAndGet();
                return CompletableFuture.completedFuture(Json.object().put("sent", in.to()));
              })
          .requireApproval();

  public static final Tool LOCATE =
      Tool.client("locate", "Where the user is", Where.class, City.class);

  public static AgentDefinition agent(String name) {
    return AgentDefinition.builder(name)
        .systemPrompt("You help.")
        .model("scripted:hitl")
        .tools(TestAgents.ADD, SEND, LOCATE)
        .build();
  }

  /** The agent type of the sub-agent of {@link #parent}. */
  public static final String CHILD = "hitl-child";

  /**
   * An agent that delegates: "delegate TASK" calls its sub-agent {@value #CHILD} (an {@link
   * #agent}) with TASK; both on {@code model} (registering it registers its sub-agent).
   */
  public static AgentDefinition parent(String name, String model) {
    return AgentDefinition.builder(name)
        .systemPrompt("You delegate.")
        .model(model)
        .subAgent(agent(CHILD).withModel(model))
        .build();
  }

  /**
   * Step 1: "delegate TASK" asks the sub-agent {@value #CHILD} for TASK; "send" asks for send and add(2,3); "where" asks for locate; "long" streams a long
   * answer slowly (about 20 s); anything else is answered. Later steps answer with the tool results
   * of the step before, and the last user message when it follows them.
   */
  public static List<ModelEvent> script(ModelRequest request) {
    List<Message> messages = request.messages();
    Message last = messages.get(messages.size() - 1);
    if (last instanceof UserMessage user) {
      String text = user.content();
      if (request.step() == 1 || text.startsWith("again")) {
        if (text.startsWith("delegate ")) {
          return List.of(
              ScriptedModel.toolCall(
                  "call-delegate",
                  io.helix.agent.AgentDefinition.SUB_AGENT_PREFIX + CHILD,
                  Json.object().put("message", text.substring("delegate ".length()))),
              ScriptedModel.finish("tool_calls", 3, 3));
        }
        if (text.contains("send")) {
          return List.of(
              ScriptedModel.toolCall(
                  "call-send", "send", Json.object().put("to", "bob@example.com").put("body", "hi")),
              ScriptedModel.toolCall("call-add", "add", Json.object().put("a", 2).put("b", 3)),
              ScriptedModel.finish("tool_calls", 3, 3));
        }
        if (text.contains("where")) {
          return List.of(
              ScriptedModel.toolCall("call-where", "locate", Json.object().put("precision", "city")),
              ScriptedModel.finish("tool_calls", 3, 3));
        }
        if (text.contains("long")) {
          List<ModelEvent> events = new ArrayList<>();
          for (int i = 0; i < 400; i++) {
            events.add(ScriptedModel.text("word" + i + " "));
          }
          events.add(ScriptedModel.finish("stop", 1, 400));
          return events;
        }
      }
      return ScriptedModel.answer("you said: " + text);
    }
    StringBuilder results = new StringBuilder();
    for (int i = messages.size() - 1; i >= 0 && messages.get(i) instanceof ToolResultMessage r; i--) {
      results.insert(0, r.toolName() + "=" + (r.success() ? Json.write(r.result()) : "error: " + r.error()) + "; ");
    }
    return ScriptedModel.answer("done: " + results.toString().trim());
  }
}
