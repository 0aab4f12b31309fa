package io.helix.history;

import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * Deletes for good what the journal and the read model hold of some entities (a session's erasure,
 * for its users' right to erasure). The runtime defines this port, the persistence module
 * implements it ({@code io.helix.persistence.readmodel.ReadModel.erasure}).
 */
public interface Erasure {

  /**
   * Deletes the events and snapshots of {@code persistenceIds} and the read-model rows of {@code
   * runIds}, once the read model has projected those events (so it cannot write them again).
   */
  CompletionStage<Done> erase(Set<String> persistenceIds, Set<String> runIds);
}
