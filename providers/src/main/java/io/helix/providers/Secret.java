package io.helix.providers;

/**
 * An API key. Its {@link #toString()} never shows the value, so a secret cannot reach a log line,
 * an error message or an endpoint by accident; only {@link #reveal()} gives it out.
 */
record Secret(String value) {

  static final Secret NONE = new Secret("");

  Secret {
    value = value == null ? "" : value.trim();
  }

  boolean isSet() {
    return !value.isEmpty();
  }

  /** The value, for the one place that sends it: the provider's HTTP client. */
  String reveal() {
    return value;
  }

  /** {@code text} with every occurrence of this secret masked. */
  String redact(String text) {
    return text == null || !isSet() ? text : text.replace(value, "****");
  }

  @Override
  public String toString() {
    return isSet() ? "****" : "(none)";
  }
}
