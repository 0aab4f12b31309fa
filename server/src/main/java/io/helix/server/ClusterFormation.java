package io.helix.server;

import com.typesafe.config.Config;
import io.helix.persistence.DatabaseSettings;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;

/**
 * How a node joins its cluster, from {@code helix.cluster}: Kubernetes discovery, seed nodes, or
 * alone.
 */
final class ClusterFormation {

  static final String KUBERNETES = "kubernetes";

  private ClusterFormation() {}

  /** Starts joining; answers how, for the start-up log. */
  static String join(ActorSystem<?> system, Config config) {
    String discovery = config.getString("helix.cluster.discovery").trim();
    List<Address> seeds = seedNodes(system.name(), config.getString("helix.cluster.seed-nodes"));
    Cluster cluster = Cluster.get(system);
    if (discovery.equals(KUBERNETES)) {
      ClusterBootstrap.get(system).start();
      return "Cluster Bootstrap with Kubernetes API discovery";
    }
    if (!discovery.isEmpty()) {
      throw new IllegalArgumentException(
          "HELIX_DISCOVERY must be empty or '" + KUBERNETES + "', was '" + discovery + "'");
    }
    if (!seeds.isEmpty()) {
      cluster.manager().tell(new JoinSeedNodes(seeds));
      return "seed nodes " + seeds;
    }
    cluster.manager().tell(new Join(cluster.selfMember().address()));
    return "a one-node cluster";
  }

  /**
   * Refuses a node that would form a cluster with others on a database of its own: each node's
   * embedded H2 file is a journal of its own, so runs would be recovered from the wrong journal (or
   * not at all) as shards move. Seed nodes that are only this node itself, or none, are one node.
   */
  static void requireSharedDatabase(Config config, DatabaseSettings database) {
    if (database.dialect() != DatabaseSettings.Dialect.H2) {
      return;
    }
    String discovery = config.getString("helix.cluster.discovery").trim();
    String self =
        config.getString("pekko.remote.artery.canonical.hostname")
            + ":"
            + config.getInt("pekko.remote.artery.canonical.port");
    boolean others =
        Arrays.stream(config.getString("helix.cluster.seed-nodes").split(","))
            .map(String::trim)
            .anyMatch(seed -> !seed.isEmpty() && !seed.equals(self));
    if (!discovery.isEmpty() || others) {
      throw new IllegalStateException(
          "HELIX_SEED_NODES or HELIX_DISCOVERY make this node one of a cluster, but it has no"
              + " HELIX_DB_URL: every node would keep its own embedded H2 journal. Set HELIX_DB_URL"
              + " (with HELIX_DB_USER, HELIX_DB_PASSWORD) to the PostgreSQL database all nodes share,"
              + " or unset HELIX_SEED_NODES and HELIX_DISCOVERY for a single node.");
    }
  }

  /** {@code host:port,host:port} as remoting addresses of the system {@code systemName}. */
  static List<Address> seedNodes(String systemName, String seeds) {
    return Arrays.stream(seeds.split(","))
        .map(String::trim)
        .filter(seed -> !seed.isEmpty())
        .map(
            seed -> {
              int colon = seed.lastIndexOf(':');
              if (colon <= 0 || colon == seed.length() - 1) {
                throw new IllegalArgumentException(
                    "HELIX_SEED_NODES entries must be host:port, was '" + seed + "'");
              }
              int port;
              try {
                port = Integer.parseInt(seed.substring(colon + 1));
              } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port in seed node '" + seed + "'");
              }
              return new Address("pekko", systemName, seed.substring(0, colon), port);
            })
        .toList();
  }
}
