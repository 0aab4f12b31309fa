package io.helix.examples;

/**
 * Evaluates arithmetic: numbers, {@code + - * / % ^}, parentheses and unary minus. A small
 * recursive-descent parser; nothing else is evaluated, so model input is safe to give it.
 */
final class Arithmetic {

  private final String text;
  private int pos;

  private Arithmetic(String text) {
    this.text = text;
  }

  static double eval(String expression) {
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException("empty expression");
    }
    Arithmetic parser = new Arithmetic(expression);
    double value = parser.sum();
    parser.skipSpaces();
    if (parser.pos != expression.length()) {
      throw parser.error("unexpected '" + expression.charAt(parser.pos) + "'");
    }
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("the result is not a finite number");
    }
    return value;
  }

  private double sum() {
    double value = product();
    while (true) {
      if (eat('+')) {
        value += product();
      } else if (eat('-')) {
        value -= product();
      } else {
        return value;
      }
    }
  }

  private double product() {
    double value = power();
    while (true) {
      if (eat('*')) {
        value *= power();
      } else if (eat('/')) {
        double divisor = power();
        if (divisor == 0) {
          throw new IllegalArgumentException("division by zero");
        }
        value /= divisor;
      } else if (eat('%')) {
        value %= power();
      } else {
        return value;
      }
    }
  }

  private double power() {
    double base = unary();
    return eat('^') ? Math.pow(base, power()) : base;
  }

  private double unary() {
    if (eat('-')) {
      return -unary();
    }
    if (eat('+')) {
      return unary();
    }
    return atom();
  }

  private double atom() {
    if (eat('(')) {
      double value = sum();
      if (!eat(')')) {
        throw error("missing ')'");
      }
      return value;
    }
    skipSpaces();
    int start = pos;
    while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
      pos++;
    }
    if (start == pos) {
      throw error(pos < text.length() ? "unexpected '" + text.charAt(pos) + "'" : "unexpected end");
    }
    try {
      return Double.parseDouble(text.substring(start, pos));
    } catch (NumberFormatException e) {
      throw error("bad number '" + text.substring(start, pos) + "'");
    }
  }

  private boolean eat(char c) {
    skipSpaces();
    if (pos < text.length() && text.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void skipSpaces() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at position " + pos + " of '" + text + "'");
  }
}
