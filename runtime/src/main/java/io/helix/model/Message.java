package io.helix.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.helix.serialization.CborSerializable;

/** One message of a run's conversation, in the helix-agents shape. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "role")
@JsonSubTypes({
  @JsonSubTypes.Type(value = UserMessage.class, name = "user"),
  @JsonSubTypes.Type(value = AssistantMessage.class, name = "assistant"),
  @JsonSubTypes.Type(value = ToolResultMessage.class, name = "tool")
})
public sealed interface Message extends CborSerializable
    permits UserMessage, AssistantMessage, ToolResultMessage {}
