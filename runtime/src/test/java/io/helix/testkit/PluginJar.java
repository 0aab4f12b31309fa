package io.helix.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A plugin jar made as a user makes one: Java sources compiled on their own against the test's
 * class path (helix-runtime's API), with a {@code META-INF/services} entry for its providers.
 */
public final class PluginJar {

  private PluginJar() {}

  /**
   * Compiles {@code sources} (class name → source) into {@code jar}, naming {@code services}
   * (interface name → implementation names) in META-INF/services.
   */
  public static Path build(Path jar, Map<String, String> sources, Map<String, String> services) {
    try {
      Path work = Files.createTempDirectory("plugin-src");
      Path classes = Files.createDirectories(work.resolve("classes"));
      List<String> args = new ArrayList<>(
          List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
              "--release", "17", "-proc:none"));
      for (Map.Entry<String, String> source : sources.entrySet()) {
        Path file = work.resolve("src").resolve(source.getKey().replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source.getValue());
        args.add(file.toString());
      }
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      if (javac.run(null, null, null, args.toArray(String[]::new)) != 0) {
        throw new IllegalStateException("the plugin's sources do not compile");
      }
      Files.createDirectories(jar.toAbsolutePath().getParent());
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
          Stream<Path> files = Files.walk(classes)) {
        for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
          out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
          Files.copy(file, out);
          out.closeEntry();
        }
        for (Map.Entry<String, String> service : services.entrySet()) {
          out.putNextEntry(new JarEntry("META-INF/services/" + service.getKey()));
          write(out, service.getValue() + "\n");
          out.closeEntry();
        }
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
  }
}
