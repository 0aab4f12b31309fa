package io.helix.http;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's Chromium ({@code /usr/bin/chromium}) driven headless through its chromedriver ({@code
 * /usr/bin/chromedriver}), with a fresh profile, for the console's browser tests. Nothing is
 * downloaded: both paths are given, so Selenium Manager is never run (and it is told to stay
 * offline, should it be). Other paths: {@code -Dhelix.test.chromium=} and {@code
 * -Dhelix.test.chromedriver=}.
 *
 * <p>When they are missing, the tests FAIL under {@code CI=true} (CI installs them: {@code
 * .ci/run}), and are skipped with a message elsewhere ({@code apt-get install chromium
 * chromium-driver}).
 */
final class HeadlessChromium implements AutoCloseable {

  static final Path CHROMIUM = Path.of(System.getProperty("helix.test.chromium", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER =
      Path.of(System.getProperty("helix.test.chromedriver", "/usr/bin/chromedriver"));

  static {
    // passed on to Selenium Manager as its environment, should anything start it
    System.setProperty("SE_OFFLINE", "true");
  }

  final ChromeDriver driver;
  private final Path profile;

  private HeadlessChromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /**
   * Why the browser tests cannot run here (Chromium or its driver is missing), to skip them with;
   * empty when they can. Under {@code CI=true} a missing browser fails the calling test instead.
   */
  static Optional<String> unavailable() {
    List<String> missing = new ArrayList<>();
    if (!Files.isExecutable(CHROMIUM)) {
      missing.add(CHROMIUM.toString());
    }
    if (!Files.isExecutable(CHROMEDRIVER)) {
      missing.add(CHROMEDRIVER.toString());
    }
    if (missing.isEmpty()) {
      return Optional.empty();
    }
    String what =
        "the console's browser tests need Chromium and chromedriver; missing: "
            + String.join(", ", missing)
            + " (apt-get install chromium chromium-driver)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true: " + what);
    }
    return Optional.of("skipped: " + what);
  }

  /** A headless browser of {@code width} x {@code height}, on a new profile. */
  static HeadlessChromium start(int width, int height) throws IOException {
    Path profile = Files.createTempDirectory("helix-console-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--lang=en-US",
        "--window-size=" + width + "," + height,
        "--user-data-dir=" + profile.toAbsolutePath());
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    try {
      return new HeadlessChromium(new ChromeDriver(service, options), profile);
    } catch (RuntimeException e) {
      delete(profile);
      throw e;
    }
  }

  /**
   * What the page logged since the last call that a console must never log: a Content Security
   * Policy violation, or an uncaught error.
   */
  List<String> problemsLogged() {
    List<String> problems = new ArrayList<>();
    for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
      String message = entry.getMessage();
      if (message.contains("Content Security Policy")
          || message.contains("Uncaught")
          || message.contains("TrustedHTML")
          || message.contains("Trusted Type")) {
        problems.add(message);
      }
    }
    return problems;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      delete(profile);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory
    }
  }
}
