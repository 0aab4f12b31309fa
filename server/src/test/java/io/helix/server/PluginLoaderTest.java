package io.helix.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.helix.agent.AgentDefinition;
import io.helix.agent.AgentProvider;
import io.helix.testkit.PluginJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginLoaderTest {

  static final String PROVIDER = AgentProvider.class.getName();

  static String source(String className, String agentsBody) {
    return """
        package acme;

        import io.helix.agent.AgentDefinition;
        import io.helix.agent.AgentProvider;
        import java.util.List;

        public final class %s implements AgentProvider {
          @Override
          public List<AgentDefinition> agents() {
            %s
          }
        }
        """
        .formatted(className, agentsBody);
  }

  @Test
  void aJarsProvidersAreLoadedInTheirOwnClassLoader() throws Exception {
    Path dir = Files.createTempDirectory("plugins");
    PluginJar.build(
        dir.resolve("acme.jar"),
        Map.of(
            "acme.Agents",
            source(
                "Agents",
                "return List.of(AgentDefinition.builder(\"acme\").systemPrompt(\"p\")"
                    + ".model(\"offline:builtin\").build());")),
        Map.of(PROVIDER, "acme.Agents"));
    Files.writeString(dir.resolve("README.txt"), "not a jar");
    List<PluginLoader.Loaded> loaded =
        PluginLoader.fromDirectory(dir, getClass().getClassLoader());
    assertEquals(1, loaded.size());
    assertEquals("plugin " + dir.resolve("acme.jar") + ": acme.Agents", loaded.get(0).origin());
    assertEquals(
        List.of("acme"),
        loaded.get(0).provider().agents().stream().map(AgentDefinition::name).toList());
    assertTrue(
        loaded.get(0).provider().getClass().getClassLoader() != getClass().getClassLoader());
    assertTrue(PluginLoader.fromDirectory(dir.resolve("absent"), getClass().getClassLoader()).isEmpty());
  }

  @Test
  void aBrokenPluginStopsTheStartNamingItsJarAndClass() throws Exception {
    Path missingClass = Files.createTempDirectory("plugins");
    PluginJar.build(
        missingClass.resolve("broken.jar"),
        Map.of("acme.Other", source("Other", "return List.of();")),
        Map.of(PROVIDER, "acme.Missing"));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> PluginLoader.fromDirectory(missingClass, getClass().getClassLoader()));
    assertTrue(e.getMessage().contains("broken.jar") && e.getMessage().contains("acme.Missing"), e.getMessage());

    Path noServices = Files.createTempDirectory("plugins");
    PluginJar.build(noServices.resolve("plain.jar"), Map.of("acme.Other", source("Other", "return List.of();")), Map.of());
    e =
        assertThrows(
            IllegalStateException.class,
            () -> PluginLoader.fromDirectory(noServices, getClass().getClassLoader()));
    assertTrue(e.getMessage().contains("plain.jar") && e.getMessage().contains("names no AgentProvider"), e.getMessage());

    Path failing = Files.createTempDirectory("plugins");
    PluginJar.build(
        failing.resolve("failing.jar"),
        Map.of("acme.Failing", source("Failing", "throw new IllegalStateException(\"no key\");")),
        Map.of(PROVIDER, "acme.Failing"));
    List<PluginLoader.Loaded> loaded = PluginLoader.fromDirectory(failing, getClass().getClassLoader());
    e =
        assertThrows(
            IllegalStateException.class,
            () ->
                AgentAssembly.assemble(
                    ConfigFactory.load(), List.of(), List.of(), Map.of(), loaded));
    assertTrue(
        e.getMessage().contains("failing.jar: acme.Failing failed")
            && e.getMessage().contains("no key"),
        e.getMessage());
  }
}
