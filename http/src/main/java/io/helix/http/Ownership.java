package io.helix.http;

import java.util.Objects;

/**
 * Whose runs and sessions a principal sees. A run or session belongs to the principal that started
 * it: a named principal's are recorded with its name; the shared principals' — {@code default}
 * (a bare token) and the anonymous one of a server without authentication — with none (as are
 * runs started before owners existed), and are shared by those two. A principal sees its own; an
 * admin sees all. Anything else is answered as if it did not exist (404).
 */
final class Ownership {

  static final String SHARED_TOKEN_PRINCIPAL = "default";

  private Ownership() {}

  /** The owner recorded for what {@code principal} starts; null for a shared principal. */
  static String ownerOf(Principal principal) {
    return isShared(principal) ? null : principal.name();
  }

  static boolean isShared(Principal principal) {
    return principal.equals(Principal.ANONYMOUS)
        || principal.name().equals(SHARED_TOKEN_PRINCIPAL);
  }

  static boolean isAdmin(Principal principal) {
    return principal.scopes().contains(Principal.ADMIN);
  }

  /** Whether {@code principal} may see what {@code owner} owns. */
  static boolean mayAccess(Principal principal, String owner) {
    return isAdmin(principal) || Objects.equals(ownerOf(principal), owner);
  }
}
