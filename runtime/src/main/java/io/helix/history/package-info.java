/**
 * The query port over the runs' history (the read model): {@link io.helix.history.StateStore} and
 * its value records. The runtime defines it so that the HTTP API can query run history without
 * depending on persistence; the persistence module implements it (JDBC read model).
 */
package io.helix.history;
