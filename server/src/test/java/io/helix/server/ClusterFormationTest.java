package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.helix.persistence.DatabaseSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterFormationTest {

  private static Config config(Map<String, Object> settings) {
    return ConfigFactory.parseMap(settings).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void aClusterOnTheEmbeddedDatabaseDoesNotStart() throws Exception {
    Path dir = Files.createTempDirectory("helix-cluster-h2");
    Config seeds =
        config(
            Map.of(
                "helix.data-dir", dir.toString(),
                "helix.cluster.seed-nodes", "127.0.0.1:25521,127.0.0.1:25522"));
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> HelixServer.start(seeds));
    assertTrue(refused.getMessage().contains("HELIX_DB_URL"), refused.getMessage());
    // refused before anything was created: no database file, no actor system
    try (var files = Files.list(dir)) {
      assertTrue(files.findAny().isEmpty(), "nothing written to " + dir);
    }

    Config kubernetes =
        config(Map.of("helix.data-dir", dir.toString(), "helix.cluster.discovery", "kubernetes"));
    assertThrows(
        IllegalStateException.class,
        () ->
            ClusterFormation.requireSharedDatabase(
                kubernetes, DatabaseSettings.fromConfig(kubernetes)));
  }

  @Test
  void oneNodeOnTheEmbeddedDatabaseAndAClusterOnPostgresqlStart() {
    Config alone = config(Map.of("helix.cluster.seed-nodes", "127.0.0.1:25520"));
    assertDoesNotThrow(
        () -> ClusterFormation.requireSharedDatabase(alone, DatabaseSettings.fromConfig(alone)));
    Config shared =
        config(
            Map.of(
                "helix.db.url", "jdbc:postgresql://127.0.0.1:5432/helix",
                "helix.cluster.seed-nodes", "127.0.0.1:25521,127.0.0.1:25522"));
    assertDoesNotThrow(
        () -> ClusterFormation.requireSharedDatabase(shared, DatabaseSettings.fromConfig(shared)));
  }
}
