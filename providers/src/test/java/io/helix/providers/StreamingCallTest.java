package io.helix.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.StreamingHandle;
import io.helix.model.ModelEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Cancelling through LangChain4j's streaming handle, which a handler only gets with a delta. */
class StreamingCallTest {

  private static final class Handle implements StreamingHandle {
    final AtomicBoolean cancelled = new AtomicBoolean();

    @Override
    public void cancel() {
      cancelled.set(true);
    }

    @Override
    public boolean isCancelled() {
      return cancelled.get();
    }
  }

  private final List<ModelEvent> events = new CopyOnWriteArrayList<>();
  private final StreamingCall call =
      new StreamingCall(events::add, new ProviderErrors("test", Secret.NONE, 100));

  @Test
  void aCancelBeforeTheFirstDeltaIsAppliedAtTheFirstCallback() {
    call.cancel();
    Handle handle = new Handle();

    call.onPartialThinking(new PartialThinking("late"), new PartialThinkingContext(handle));

    assertTrue(handle.isCancelled(), "the remembered cancel reached the handle");
    assertEquals(List.of(), events, "nothing is streamed after a cancel");
    assertTrue(call.response().toCompletableFuture().isCompletedExceptionally());
  }

  @Test
  void aCancelAfterADeltaUsesTheHandleAtOnce() {
    Handle handle = new Handle();
    call.onPartialResponse(new PartialResponse("Hello"), new PartialResponseContext(handle));
    assertFalse(handle.isCancelled());

    call.cancel();

    assertTrue(handle.isCancelled());
    call.onPartialResponse(new PartialResponse(" world"), new PartialResponseContext(handle));
    assertEquals(List.of(new ModelEvent.TextDelta("Hello")), events);
  }
}
