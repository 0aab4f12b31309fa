package io.helix.examples;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.helix.agent.Tool;
import io.helix.json.Json;
import java.math.BigDecimal;
import java.util.concurrent.CompletableFuture;

/** The {@code calculator} tool. */
public final class Calculator {

  /** The calculator's input. */
  public record Expression(
      @JsonProperty(required = true)
          @JsonPropertyDescription("an arithmetic expression, e.g. (2 + 3) * 4 ^ 2")
          String expression) {}

  private Calculator() {}

  public static Tool tool() {
    return Tool.of(
        "calculator",
        "Evaluates an arithmetic expression with + - * / % ^ and parentheses",
        Expression.class,
        (input, context) -> {
          double value = Arithmetic.eval(input.expression());
          return CompletableFuture.completedFuture(
              Json.object()
                  .put("expression", input.expression())
                  .put("value", BigDecimal.valueOf(value).stripTrailingZeros().toPlainString()));
        });
  }
}
