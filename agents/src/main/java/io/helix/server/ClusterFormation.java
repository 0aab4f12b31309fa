package io.helix.server;

import com.typesafe.config.Config;
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
