package io.helix.http;

import java.util.Set;

/**
 * Who a request is from, as its credentials say: a name and what it may do. {@link #ANONYMOUS}
 * (every scope) when authentication is off.
 *
 * @param name the principal: a static token's name ({@code default} for a bare token), or a JWT's
 *     principal claim
 * @param scopes of {@link #EXECUTE}, {@link #READ}, {@link #ABORT}, {@link #ADMIN}
 */
public record Principal(String name, Set<String> scopes) {

  /** Start runs (and continue them: approve, answer tools, resume). */
  public static final String EXECUTE = "execute";

  /** Read runs, streams, history and agents. */
  public static final String READ = "read";

  /** Abort or interrupt runs. */
  public static final String ABORT = "abort";

  /** Everything, also others' runs. */
  public static final String ADMIN = "admin";

  public static final Set<String> ALL = Set.of(EXECUTE, READ, ABORT, ADMIN);

  /** The one principal of a server without authentication. */
  public static final Principal ANONYMOUS = new Principal("anonymous", ALL);

  public Principal {
    scopes = Set.copyOf(scopes);
  }

  public boolean may(String scope) {
    return scopes.contains(scope) || scopes.contains(ADMIN);
  }
}
