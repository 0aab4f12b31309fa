package io.helix.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helix.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** The pieces of OpenAI's streaming chat-completions protocol, for fake model servers in tests. */
final class OpenAiSse {

  private OpenAiSse() {}

  /** A chunk carrying {@code delta} (content, tool_calls, role) of choice 0. */
  static ObjectNode delta(ObjectNode delta) {
    ObjectNode chunk = chunk();
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    choice.set("delta", delta);
    choice.putNull("finish_reason");
    return chunk;
  }

  /** The last chunk: the finish reason and the usage. */
  static ObjectNode finish(String reason, int promptTokens, int completionTokens) {
    ObjectNode chunk = chunk();
    chunk.putArray("choices").addObject().put("index", 0).put("finish_reason", reason).putObject("delta");
    chunk.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens);
    return chunk;
  }

  static void send(OutputStream out, ObjectNode chunk) throws IOException {
    out.write(("data: " + Json.write(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  static void done(OutputStream out) throws IOException {
    out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
  }

  private static ObjectNode chunk() {
    return Json.object()
        .put("id", "chatcmpl-test")
        .put("object", "chat.completion.chunk")
        .put("model", "gpt-4o-mini");
  }
}
