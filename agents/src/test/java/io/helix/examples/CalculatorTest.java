package io.helix.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CalculatorTest {

  @Test
  void evaluatesWithPrecedenceAndParentheses() {
    assertEquals(14, Arithmetic.eval("2 + 3 * 4"));
    assertEquals(20, Arithmetic.eval("(2 + 3) * 4"));
    assertEquals(512, Arithmetic.eval("2 ^ 3 ^ 2"), "power is right-associative");
    assertEquals(-1.5, Arithmetic.eval("-3 / 2"));
    assertEquals(1, Arithmetic.eval("7 % 3"));
    assertEquals(0.3, Arithmetic.eval("0.1 + 0.2"), 1e-12);
  }

  @Test
  void rejectsWhatIsNotArithmetic() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Arithmetic.eval("1 / 0"))
            .getMessage()
            .contains("division by zero"));
    assertThrows(IllegalArgumentException.class, () -> Arithmetic.eval("2 +"));
    assertThrows(IllegalArgumentException.class, () -> Arithmetic.eval("(1 + 2"));
    assertThrows(IllegalArgumentException.class, () -> Arithmetic.eval("System.exit(1)"));
    assertThrows(IllegalArgumentException.class, () -> Arithmetic.eval(""));
    assertThrows(IllegalArgumentException.class, () -> Arithmetic.eval("1..2"));
  }

  @Test
  void findsTheArithmeticInAMessage() {
    assertEquals("(12 + 30) * 2", OfflineModel.arithmeticIn("what is (12 + 30) * 2 please"));
    assertEquals("6 * 7", OfflineModel.arithmeticIn("tell me about Pekko"));
  }
}
