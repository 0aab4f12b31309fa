package io.helix.http;

import static io.helix.testkit.TestRuntime.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.openqa.selenium.support.ui.ExpectedConditions.invisibilityOfElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.urlContains;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

import com.typesafe.config.Config;
import io.helix.agent.AgentHandle;
import io.helix.agent.RunResult;
import io.helix.agent.RunStatus;
import io.helix.model.ScriptedModel;
import io.helix.persistence.DatabaseMigrations;
import io.helix.persistence.DatabaseSettings;
import io.helix.persistence.readmodel.ReadModel;
import io.helix.testkit.HitlAgents;
import io.helix.testkit.TestRuntime;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The run console in a real headless Chromium, against a real server over loopback (the runtime
 * and the API in-process, on the embedded H2 journal with the read model, bearer tokens on), the
 * browser behind a proxy that can drop its connections ({@link DroppingProxy}). The agents are
 * {@link ConsoleAgents}'; the {@code puppet} model sends each piece of text when the test says so.
 * The {@code hitl} agent of {@link TestServer} ({@link HitlAgents}) waits for a person: an approval,
 * a client-executed tool's result, or a long answer to interrupt and resume. Explicit waits only.
 * Screenshots go to {@code target/console-*.png} ({@link #SCREENSHOT}: a finished run's view,
 * {@link #APPROVAL_SCREENSHOT}: a suspended one's).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserTest {

  static final String TOKEN = "console-browser-token-0123456789abcdef";
  static final Path SCREENSHOT = Path.of("target", "console-run-view.png");
  static final Path PHONE_SCREENSHOT = Path.of("target", "console-run-view-phone.png");
  static final Path APPROVAL_SCREENSHOT = Path.of("target", "console-approval.png");
  static final By STREAMED = By.cssSelector("#activity > li.assistant .streamed");

  private final PuppetModel puppet = new PuppetModel();
  private TestServer server;
  private DroppingProxy proxy;
  private HeadlessChromium browser;
  private WebDriver driver;
  private WebDriverWait wait;
  private String console;

  /** Why the tests are skipped here (no Chromium), or null. */
  private String skipped;

  @BeforeAll
  void start() throws Exception {
    skipped = HeadlessChromium.unavailable().orElse(null);
    if (skipped != null) {
      System.err.println("ConsoleBrowserTest " + skipped);
      return;
    }
    Path data = Files.createTempDirectory("helix-console-db");
    Config config =
        DatabaseSettings.withJournal(
            TestRuntime.config(
                """
                helix.data-dir = "%s"
                helix.http.auth.tokens = ["%s"]
                pekko.persistence.journal.plugin = "jdbc-journal"
                pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
                jdbc-read-journal.refresh-interval = 100ms
                jdbc-read-journal.journal-sequence-retrieval.query-delay = 100ms
                helix.read-model.group-max-events = 10
                pekko.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 3s
                """
                    .formatted(data.toAbsolutePath(), TOKEN)));
    DatabaseMigrations.migrate(DatabaseSettings.fromConfig(config));
    server =
        new TestServer(
            config,
            agents -> agents.register(ConsoleAgents.BOSS).register(ConsoleAgents.PUPPET),
            models ->
                models.register("console", new ScriptedModel(ConsoleAgents::script)).register("puppet", puppet),
            TestServer.WS_KEEP_ALIVE);
    var history = ReadModel.start(server.runtime.testKit.system());
    proxy = new DroppingProxy(server.bind(server.runtime.executor, server.settings, history));
    console = proxy.uri() + "/console/";
    browser = HeadlessChromium.start(1280, 1000);
    driver = browser.driver;
    wait = new WebDriverWait(driver, Duration.ofSeconds(30));
    wait.ignoring(StaleElementReferenceException.class);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** A fresh page, with the token given once per browser tab. */
  @BeforeEach
  void openConsole() {
    Assumptions.assumeTrue(skipped == null, skipped);
    driver.manage().window().setSize(new Dimension(1280, 1000));
    load("#/runs");
    if (js("return sessionStorage.getItem('helix.console.token')") == null) {
      signIn();
    }
  }

  @AfterEach
  void noPolicyViolationNorUncaughtError() {
    if (browser != null) {
      assertEquals(List.of(), browser.problemsLogged());
    }
  }

  private void signIn() {
    visible(By.id("token")).sendKeys(TOKEN + Keys.ENTER);
    wait.until(d -> !text(By.id("runs-note")).isEmpty());
  }

  @Test
  void theConsoleAsksForATokenAndKeepsItForTheTab() throws Exception {
    js("sessionStorage.clear()");
    driver.navigate().refresh();
    WebElement token = visible(By.id("token"));
    assertEquals("Access token needed", text(By.id("view-title")));
    token.sendKeys("not-the-token" + Keys.ENTER);
    wait.until(d -> text(By.id("token-error")).contains("not accepted"));
    screenshot(1280, Path.of("target", "console-token.png"));
    token.clear();
    signIn();
    assertEquals("Runs", text(By.id("view-title")));
    driver.navigate().refresh();
    wait.until(d -> !text(By.id("runs-note")).isEmpty());
    assertTrue(driver.findElements(By.id("token")).isEmpty());
  }

  @Test
  void aRunStartedFromTheConsoleStreamsItsTextInPieces() throws Exception {
    driver.get(console + "#/new");
    wait.until(d -> !d.findElements(By.cssSelector("#agent option[value='puppet']")).isEmpty());
    new Select(driver.findElement(By.id("agent"))).selectByValue("puppet");
    driver.findElement(By.id("message")).sendKeys("Say hello");
    screenshot(1280, Path.of("target", "console-start.png"));
    driver.findElement(By.id("start-button")).click();
    String runId = runIdFromUrl();
    PuppetModel.Call call = puppet.call(runId);
    wait.until(d -> text(By.cssSelector("#activity > li.user .body")).equals("Say hello"));

    call.say("Hello ");
    waitForText(STREAMED, "Hello ");
    assertEquals("running", text(By.id("run-status")));
    call.say("from the ");
    waitForText(STREAMED, "Hello from the ");
    assertEquals("running", text(By.id("run-status")));
    call.say("console.");
    waitForText(STREAMED, "Hello from the console.");
    assertEquals("running", text(By.id("run-status")));
    call.finish();

    waitForText(By.id("run-status"), "completed");
    wait.until(d -> text(By.id("run-outcome")).contains("Hello from the console."));
    wait.until(d -> text(By.cssSelector("#conversation > li.assistant .body")).equals("Hello from the console."));
    waitForAttribute(By.id("stream-state"), "data-state", "ended");
  }

  @Test
  void aFinishedRunShowsItsToolCallsSubAgentStateAndUsage() throws Exception {
    AgentHandle handle = await(server.runtime.executor.execute("boss", "Add 2 and 3; have the helper add 4 and 5", null));
    RunResult result = await(handle.result());
    assertEquals(RunStatus.completed, result.status(), result.error());
    driver.get(console + "#/runs/" + handle.runId());

    waitForText(By.id("run-status"), "completed");
    By add = By.cssSelector("#activity > li.tool[data-tool-call-id='b-add']");
    wait.until(d -> text(add).contains("\"sum\": 5"));
    assertTrue(text(add).contains("\"a\": 2"), text(add));
    By helper = By.cssSelector("#activity > li.subagent-call[data-tool-call-id='b-help']");
    wait.until(d -> text(helper).contains("helper"));
    By helperAdd = By.cssSelector("#activity > li.subagent-call li.tool[data-tool-call-id='h-add']");
    wait.until(d -> text(helperAdd).contains("\"sum\": 9"));
    assertTrue(text(helper).contains("add 4 and 5"), text(helper));
    By child = By.cssSelector("#subagent-tree > li[data-run-id]");
    wait.until(d -> text(child).contains("helper") && text(child).contains("completed"));
    wait.until(d -> text(By.id("state-patches")).contains("2+3=5, 4+5=9"));
    wait.until(d -> text(By.id("run-usage")).equals("480 in / 49 out"));
    wait.until(d -> text(By.id("run-outcome")).contains("The sums are 5 and 9."));
    waitForAttribute(By.id("stream-state"), "data-state", "ended");
    // user, 4 assistant messages, 3 tool results: from the run history
    wait.until(d -> d.findElements(By.cssSelector("#conversation > li")).size() == 8);

    screenshot(1280, SCREENSHOT);
    screenshot(390, PHONE_SCREENSHOT);

    // the sub-agent's own view, from the tree
    String childId = driver.findElement(child).getAttribute("data-run-id");
    driver.findElement(child).findElement(By.tagName("a")).click();
    wait.until(urlContains(childId));
    waitForText(By.id("run-status"), "completed");
    wait.until(d -> text(By.cssSelector("#activity > li.tool[data-tool-call-id='h-add']")).contains("\"sum\": 9"));
    wait.until(d -> text(By.id("run-facts")).contains(handle.runId()));
    assertTrue(driver.findElements(By.cssSelector("#activity li[data-tool-call-id='b-add']")).isEmpty());
  }

  @Test
  void theAbortButtonAbortsARunningRun() throws Exception {
    AgentHandle handle = await(server.runtime.executor.execute("slow", "count slowly", null));
    driver.get(console + "#/runs/" + handle.runId());
    wait.until(d -> text(STREAMED).startsWith("word0"));
    assertEquals("running", text(By.id("run-status")));
    visible(By.id("abort-button")).click();

    waitForText(By.id("run-status"), "aborted");
    wait.until(invisibilityOfElementLocated(By.id("abort-button")));
    RunResult result = await(handle.result());
    assertTrue(result.aborted());
    assertEquals("aborted from the console", result.abortReason());
    wait.until(d -> text(By.id("run-facts")).contains("aborted: aborted from the console"));
    waitForAttribute(By.id("stream-state"), "data-state", "ended");
  }

  @Test
  void anApprovalIsAskedForAndGivenFromTheConsole() throws Exception {
    int sentBefore = HitlAgents.SENT.get();
    driver.get(console + "#/new");
    wait.until(d -> !d.findElements(By.cssSelector("#agent option[value='hitl']")).isEmpty());
    new Select(driver.findElement(By.id("agent"))).selectByValue("hitl");
    driver.findElement(By.id("message")).sendKeys("please send it");
    driver.findElement(By.id("start-button")).click();
    String runId = runIdFromUrl();

    waitForText(By.id("run-status"), "suspended");
    By card = By.cssSelector("#pending > li.approval[data-tool-call-id='call-send']");
    wait.until(d -> text(card).contains("bob@example.com"));
    assertTrue(text(card).contains("Allow send to run?"), text(card));
    By sendCall = By.cssSelector("#activity > li.tool[data-tool-call-id='call-send']");
    wait.until(d -> text(sendCall).contains("awaits approval"));
    // the other call of the same response ran meanwhile
    wait.until(d -> text(By.cssSelector("#activity > li.tool[data-tool-call-id='call-add']")).contains("\"sum\": 5"));
    wait.until(d -> text(By.cssSelector("#activity > li.status.suspended")).contains("send (approval)"));
    wait.until(d -> text(By.id("run-facts")).contains("suspended: waits for 1 approval"));
    assertEquals(Boolean.TRUE, js("return document.getElementById('pending').querySelectorAll('input, textarea')"
        + ".length === [...document.getElementById('pending').querySelectorAll('input, textarea')].filter(e => e.labels.length).length"));
    screenshot(1280, APPROVAL_SCREENSHOT);
    screenshot(390, Path.of("target", "console-approval-phone.png"));

    // with the keyboard: a reason, Tab to Approve, Enter
    WebElement reason = visible(card).findElement(By.cssSelector("input.reason"));
    reason.sendKeys("fine by me");
    new Actions(driver).sendKeys(Keys.TAB).perform();
    assertEquals("Approve", driver.switchTo().activeElement().getText());
    new Actions(driver).sendKeys(Keys.ENTER).perform();

    waitForText(By.id("run-status"), "completed");
    wait.until(invisibilityOfElementLocated(By.id("pending-panel")));
    wait.until(d -> text(sendCall).contains("Approved: fine by me"));
    wait.until(d -> text(sendCall).contains("\"sent\": \"bob@example.com\""));
    wait.until(d -> text(By.id("run-outcome")).contains("send={\"sent\":\"bob@example.com\"}"));
    assertEquals(RunStatus.completed, await(await(server.runtime.executor.getHandle(runId)).orElseThrow().result()).status());
    assertEquals(sentBefore + 1, HitlAgents.SENT.get());
  }

  @Test
  void aClientToolsResultIsGivenFromTheConsoleAndARefusedOneSaysWhy() throws Exception {
    AgentHandle handle = await(server.runtime.executor.execute("hitl", "where am I", null));
    driver.get(console + "#/runs/" + handle.runId());
    waitForText(By.id("run-status"), "suspended");
    By card = By.cssSelector("#pending > li.client-tool[data-tool-call-id='call-where']");
    wait.until(d -> text(card).contains("\"precision\": \"city\""));
    wait.until(d -> text(By.cssSelector("#activity > li.tool[data-tool-call-id='call-where']")).contains("awaits client"));
    WebElement result = visible(card).findElement(By.tagName("textarea"));

    // not the tool's output schema: 400, said in the card, and the run still waits
    result.sendKeys("{\"town\": \"Lisbon\"}");
    driver.findElement(card).findElement(By.cssSelector("button.submit-result")).click();
    By error = By.cssSelector("#pending > li.client-tool[data-tool-call-id='call-where'] .error-text");
    wait.until(d -> text(error).startsWith("The result was refused: "));
    assertEquals("suspended", text(By.id("run-status")));

    result.clear();
    result.sendKeys("{\"city\": \"Lisbon\"}");
    result.sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));
    waitForText(By.id("run-status"), "completed");
    wait.until(d -> text(By.id("run-outcome")).contains("locate={\"city\":\"Lisbon\"}"));
    wait.until(invisibilityOfElementLocated(By.id("pending-panel")));
  }

  @Test
  void aRunIsInterruptedAndResumedWithAMessage() throws Exception {
    AgentHandle handle = await(server.runtime.executor.execute("hitl", "long", null));
    driver.get(console + "#/runs/" + handle.runId());
    wait.until(d -> text(STREAMED).startsWith("word0"));
    visible(By.id("interrupt-button")).click();

    waitForText(By.id("run-status"), "interrupted");
    wait.until(invisibilityOfElementLocated(By.id("interrupt-button")));
    wait.until(d -> text(By.cssSelector("#activity > li.status.interrupted")).contains("Interrupted: interrupted from the console"));
    assertTrue(!text(STREAMED).contains("word399"), "the answer was not cut short");
    WebElement message = visible(By.id("resume-message"));
    message.sendKeys("shorter, please");
    message.sendKeys(Keys.ENTER);

    waitForText(By.id("run-status"), "completed");
    wait.until(d -> text(By.cssSelector("#activity > li.resumed .body")).equals("shorter, please"));
    wait.until(d -> text(By.id("run-outcome")).contains("you said: shorter, please"));
    wait.until(invisibilityOfElementLocated(By.id("resume-message")));
    waitForAttribute(By.id("stream-state"), "data-state", "ended");
  }

  @Test
  void aSessionStartedFromTheConsoleIsContinuedAsAChat() throws Exception {
    driver.get(console + "#/new");
    wait.until(d -> !d.findElements(By.cssSelector("#agent option[value='puppet']")).isEmpty());
    new Select(driver.findElement(By.id("agent"))).selectByValue("puppet");
    driver.findElement(By.id("message")).sendKeys("My name is Ada.");
    driver.findElement(By.id("session")).sendKeys("console-chat");
    driver.findElement(By.id("start-button")).click();
    String first = runIdFromUrl();
    PuppetModel.Call call = puppet.call(first);
    call.say("Hello Ada.");
    call.finish();
    waitForText(By.id("run-status"), "completed");
    waitForText(By.id("run-session"), "console-chat");

    WebElement next = visible(By.id("continue-message"));
    next.sendKeys("What is my name?");
    driver.findElement(By.id("continue-button")).click();
    wait.until(d -> !runIdFromUrl().equals(first));
    String second = runIdFromUrl();
    PuppetModel.Call answer = puppet.call(second);
    assertEquals(
        List.of("My name is Ada.", "Hello Ada.", "What is my name?"),
        answer.messages.stream()
            .map(m -> m instanceof io.helix.model.UserMessage u ? u.content()
                : ((io.helix.model.AssistantMessage) m).content())
            .toList(),
        "the second turn sees the first");
    answer.say("Your name is Ada.");
    answer.finish();
    waitForText(By.id("run-status"), "completed");
    waitForText(STREAMED, "Your name is Ada.");
    waitForText(By.id("run-session"), "console-chat");
  }

  @Test
  void theLiveViewResumesAfterADroppedConnectionWithNoGapAndNoRepeat() throws Exception {
    AgentHandle handle = await(server.runtime.executor.execute("puppet", "count", null));
    PuppetModel.Call call = puppet.call(handle.runId());
    driver.get(console + "#/runs/" + handle.runId());
    waitForAttribute(By.id("stream-state"), "data-state", "live");
    call.say("one ");
    waitForText(STREAMED, "one ");

    assertTrue(proxy.dropAll() > 0, "no connection to drop");
    call.say("two ");
    call.say("three ");
    wait.until(d -> "live".equals(attribute(By.id("stream-state"), "data-state"))
        && Integer.parseInt(attribute(By.id("stream-state"), "data-connections")) >= 2);
    waitForText(STREAMED, "one two three ");
    call.say("four.");
    call.finish();

    waitForText(By.id("run-status"), "completed");
    waitForAttribute(By.id("stream-state"), "data-state", "ended");
    assertEquals("one two three four.", text(STREAMED));
    assertEquals(1, driver.findElements(By.cssSelector("#activity > li.assistant")).size());
  }

  @Test
  void theRunsListFiltersAndFollowsRunningRuns() throws Exception {
    AgentHandle boss = await(server.runtime.executor.execute("boss", "list me", null));
    await(boss.result());
    AgentHandle running = await(server.runtime.executor.execute("puppet", "keep running", null));
    PuppetModel.Call call = puppet.call(running.runId());
    load("#/runs");
    By runningRow = By.cssSelector("#runs-body tr[data-run-id='" + running.runId() + "']");
    wait.until(d -> text(runningRow).contains("running"));
    assertTrue(text(By.id("runs-note")).contains("refreshing"));
    call.say("done");
    call.finish();
    // the list is read again while a run on it runs
    wait.until(d -> text(runningRow).contains("completed"));
    screenshot(1280, Path.of("target", "console-runs.png"));

    wait.until(d -> !d.findElements(By.cssSelector("#runs-body td[data-label='Agent']")).stream()
        .filter(cell -> cell.getText().equals("helper")).toList().isEmpty());
    driver.findElement(By.id("filter-roots")).click();
    wait.until(d -> d.findElements(By.cssSelector("#runs-body td[data-label='Agent']")).stream()
        .noneMatch(cell -> cell.getText().equals("helper")));
    new Select(driver.findElement(By.id("filter-agent"))).selectByValue("boss");
    wait.until(d -> {
      List<WebElement> agents = d.findElements(By.cssSelector("#runs-body td[data-label='Agent']"));
      return !agents.isEmpty() && agents.stream().allMatch(cell -> cell.getText().equals("boss"));
    });
    new Select(driver.findElement(By.id("filter-status"))).selectByValue("running");
    wait.until(d -> text(By.id("runs-body")).contains("No runs here yet"));
  }

  @Test
  void theConsoleIsKeyboardOperableAndFitsAPhone() throws Exception {
    driver.manage().window().setSize(new Dimension(390, 844));
    load("#/new");
    wait.until(d -> !d.findElements(By.cssSelector("#agent option[value='puppet']")).isEmpty());
    // landmarks, and a label for every control
    assertEquals(1L, js("return document.querySelectorAll('main').length"));
    assertEquals(1L, js("return document.querySelectorAll('header.top nav[aria-label]').length"));
    assertEquals(0L, js("return [...document.querySelectorAll('input, select, textarea')]"
        + ".filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).length"));
    assertEquals(Boolean.TRUE, js("return document.documentElement.scrollWidth <= window.innerWidth"));

    // the first Tab reaches the skip link, shown with a focus ring
    new Actions(driver).sendKeys(Keys.TAB).perform();
    WebElement skip = driver.switchTo().activeElement();
    assertEquals("skip-link", skip.getAttribute("id"));
    assertEquals("solid", skip.getCssValue("outline-style"));
    assertTrue(skip.isDisplayed());

    // start a run with the keyboard alone
    for (int i = 0; i < 12 && !"agent".equals(driver.switchTo().activeElement().getAttribute("id")); i++) {
      new Actions(driver).sendKeys(Keys.TAB).perform();
    }
    assertEquals("agent", driver.switchTo().activeElement().getAttribute("id"));
    new Actions(driver).sendKeys("puppet").sendKeys(Keys.TAB).perform();
    assertEquals("puppet", new Select(driver.findElement(By.id("agent"))).getFirstSelectedOption().getAttribute("value"));
    new Actions(driver).sendKeys("Typed, not clicked").keyDown(Keys.CONTROL).sendKeys(Keys.ENTER).keyUp(Keys.CONTROL).perform();
    String runId = runIdFromUrl();
    wait.until(d -> text(By.cssSelector("#activity > li.user .body")).equals("Typed, not clicked"));
    assertEquals(Boolean.TRUE, js("return document.documentElement.scrollWidth <= window.innerWidth"));
    puppet.call(runId).finish();
    waitForText(By.id("run-status"), "completed");

    // the runs list is a list of cards at this width
    driver.get(console + "#/runs");
    By row = By.cssSelector("#runs-body tr[data-run-id='" + runId + "']");
    wait.until(d -> !d.findElements(row).isEmpty());
    assertEquals("block", driver.findElement(row).getCssValue("display"));
    assertEquals(Boolean.TRUE, js("return document.documentElement.scrollWidth <= window.innerWidth"));
    screenshot(390, Path.of("target", "console-runs-phone.png"));
  }

  // ---- helpers

  private String runIdFromUrl() {
    wait.until(urlContains("#/runs/"));
    String url = driver.getCurrentUrl();
    return URLDecoder.decode(url.substring(url.indexOf("#/runs/") + 7), StandardCharsets.UTF_8);
  }

  private WebElement visible(By by) {
    return wait.until(visibilityOfElementLocated(by));
  }

  /**
   * The element's text as the DOM has it (untrimmed), or "" when it is not there. An element the
   * page replaced between finding and reading it is found again.
   */
  private String text(By by) {
    for (int attempt = 0; ; attempt++) {
      try {
        List<WebElement> found = driver.findElements(by);
        return found.isEmpty() ? "" : found.get(0).getDomProperty("textContent");
      } catch (StaleElementReferenceException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  private String attribute(By by, String name) {
    List<WebElement> found = driver.findElements(by);
    String value = found.isEmpty() ? null : found.get(0).getAttribute(name);
    return value == null ? "" : value;
  }

  private void waitForText(By by, String expected) {
    waiting(() -> by + " to read '" + expected + "', was '" + text(by) + "'")
        .until(d -> text(by).equals(expected));
  }

  private void waitForAttribute(By by, String name, String expected) {
    waiting(() -> by + " " + name + " to be '" + expected + "', was '" + attribute(by, name) + "'")
        .until(d -> attribute(by, name).equals(expected));
  }

  /** A wait of its own, which says what it waited for when it fails. */
  private WebDriverWait waiting(java.util.function.Supplier<String> message) {
    WebDriverWait waiting = new WebDriverWait(driver, Duration.ofSeconds(30));
    waiting.ignoring(StaleElementReferenceException.class).withMessage(message);
    return waiting;
  }

  /** Loads the console anew (not a change of fragment, which the page itself follows). */
  private void load(String fragment) {
    driver.get("about:blank");
    driver.get(console + fragment);
  }

  private Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  /** The page at this width as a PNG: all of it, or (phone) a screen's height from the top. */
  private void screenshot(int width, Path file) throws Exception {
    driver.manage().window().setSize(new Dimension(width, 1000));
    long height = (Long) js("return Math.ceil(document.documentElement.scrollHeight)");
    int shown = width < 600 ? 844 : (int) Math.min(height + 120, 6000);
    driver.manage().window().setSize(new Dimension(width, shown));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    driver.manage().window().setSize(new Dimension(1280, 1000));
  }
}
