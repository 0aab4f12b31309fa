package io.helix.server;

import io.helix.agent.AgentProvider;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Finds {@link AgentProvider}s: on the class path, and in each jar of the plugins directory (each
 * jar in a class loader of its own, so plugins do not see each other). A jar that cannot be loaded
 * stops the start with the jar and the class named.
 */
final class PluginLoader {

  /** A provider and where it came from, for messages. */
  record Loaded(AgentProvider provider, String origin) {}

  private PluginLoader() {}

  /** The providers on the class path of {@code loader}. */
  static List<Loaded> fromClassPath(ClassLoader loader) {
    List<Loaded> found = new ArrayList<>();
    try {
      for (AgentProvider provider : ServiceLoader.load(AgentProvider.class, loader)) {
        found.add(new Loaded(provider, "class path: " + provider.getClass().getName()));
      }
    } catch (ServiceConfigurationError e) {
      throw new PluginException("an AgentProvider on the class path cannot be loaded: " + e.getMessage(), e);
    }
    return found;
  }

  /** The providers of every {@code *.jar} in {@code dir}, in the order of their names; none if absent. */
  static List<Loaded> fromDirectory(Path dir, ClassLoader parent) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> jars;
    try (Stream<Path> files = Files.list(dir)) {
      jars = files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
    } catch (IOException e) {
      throw new PluginException("cannot list the plugins directory " + dir + ": " + e, e);
    }
    List<Loaded> found = new ArrayList<>();
    for (Path jar : jars) {
      found.addAll(fromJar(jar, parent));
    }
    return found;
  }

  private static List<Loaded> fromJar(Path jar, ClassLoader parent) {
    URLClassLoader loader;
    try {
      loader =
          new URLClassLoader(
              "helix-plugin:" + jar.getFileName(), new URL[] {jar.toUri().toURL()}, parent);
    } catch (MalformedURLException e) {
      throw new PluginException("plugin " + jar + ": " + e.getMessage(), e);
    }
    if (loader.findResource("META-INF/services/" + AgentProvider.class.getName()) == null) {
      throw new PluginException(
          "plugin " + jar + " names no AgentProvider: it needs META-INF/services/"
              + AgentProvider.class.getName() + " with its provider class");
    }
    List<Loaded> found = new ArrayList<>();
    try {
      for (ServiceLoader.Provider<AgentProvider> provider :
          ServiceLoader.load(AgentProvider.class, loader).stream().toList()) {
        // the parent's providers (the class path's) are loaded apart
        if (provider.type().getClassLoader() == loader) {
          found.add(new Loaded(provider.get(), "plugin " + jar + ": " + provider.type().getName()));
        }
      }
    } catch (ServiceConfigurationError | LinkageError e) {
      throw new PluginException(
          "plugin " + jar + ": its AgentProvider cannot be loaded: " + describe(e), e);
    }
    return found;
  }

  private static String describe(Throwable e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    return e.getMessage() + (cause != e ? " (" + cause + ")" : "");
  }

  /** A plugin that cannot be loaded or used: the start stops. */
  static final class PluginException extends IllegalStateException {
    PluginException(String message, Throwable cause) {
      super(message, cause);
    }

    PluginException(String message) {
      super(message);
    }
  }
}
