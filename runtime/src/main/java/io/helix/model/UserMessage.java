package io.helix.model;

/** The user's input to a run. */
public record UserMessage(String content) implements Message {}
