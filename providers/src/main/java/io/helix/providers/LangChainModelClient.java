package io.helix.providers;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import io.helix.model.ModelCall;
import io.helix.model.ModelClient;
import io.helix.model.ModelEvent;
import io.helix.model.ModelRequest;
import java.util.function.Consumer;

/**
 * Our {@link ModelClient} on a LangChain4j streaming chat model. Requests are converted on the
 * way in and deltas on the way out, so no LangChain4j type outlives a call.
 */
final class LangChainModelClient implements ModelClient {

  private final String provider;
  private final StreamingChatModel model;
  private final ProviderErrors errors;

  LangChainModelClient(String provider, StreamingChatModel model, ProviderErrors errors) {
    this.provider = provider;
    this.model = model;
    this.errors = errors;
  }

  @Override
  public ModelCall stream(ModelRequest request, Consumer<ModelEvent> events) {
    StreamingCall call = new StreamingCall(events, errors);
    try {
      ChatRequest chat = Conversations.toChatRequest(request);
      call.connection()
          .open(
              () -> {
                model.chat(chat, call);
                return null;
              });
    } catch (RuntimeException e) {
      call.onError(e);
    }
    return call;
  }

  @Override
  public String toString() {
    return "LangChainModelClient[" + provider + "]";
  }
}
