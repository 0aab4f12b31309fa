package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console's files over HTTP, on a server with bearer tokens: served without a token (the API
 * still needs one), with their content types, caching headers and a strict Content-Security-Policy;
 * and the files themselves: no inline script, nothing from another origin, no HTML written as
 * text, every module they import present.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleRoutesTest {

  static final String TOKEN = "console-routes-token-0123456789abcdef";

  /** Every file of the console. */
  static final List<String> FILES =
      List.of(
          "index.html", "console.css", "icon.svg", "app.js", "api.js", "dom.js", "runs.js",
          "run-view.js", "start.js", "stream.js", "timeline.js", "chat.js");

  private final TestServer server =
      new TestServer("helix.http.auth.tokens = [\"" + TOKEN + "\"]", agents -> {}, models -> {});

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void theConsoleRedirectsToItsDirectoryAndServesItsIndexWithoutAToken() {
    HttpResponse<String> redirect = server.get("/console");
    assertEquals(301, redirect.statusCode(), redirect.body());
    assertEquals("console/", redirect.headers().firstValue("Location").orElse(""));
    assertTrue(redirect.headers().firstValue(RequestGate.REQUEST_ID).isPresent());

    HttpResponse<String> index = server.get("/console/");
    assertEquals(200, index.statusCode(), index.body());
    assertEquals("text/html; charset=UTF-8", index.headers().firstValue("Content-Type").orElse(""));
    assertTrue(index.body().contains("<script type=\"module\" src=\"app.js\"></script>"));
    assertSecurityHeaders(index);
    assertEquals(index.body(), server.get("/console/index.html").body());
  }

  @Test
  void eachFileHasItsContentTypeAndIsRevalidatedByItsEtag() {
    Map<String, String> types =
        Map.of(
            "app.js", "text/javascript; charset=UTF-8",
            "console.css", "text/css; charset=UTF-8",
            "icon.svg", "image/svg+xml",
            "index.html", "text/html; charset=UTF-8");
    types.forEach(
        (file, type) -> {
          HttpResponse<String> response = server.get("/console/" + file);
          assertEquals(200, response.statusCode(), file);
          assertEquals(type, response.headers().firstValue("Content-Type").orElse(""), file);
          assertSecurityHeaders(response);
          String etag = response.headers().firstValue("ETag").orElseThrow();
          assertTrue(etag.matches("\"[0-9a-f]{32}\""), etag);
          HttpResponse<String> again =
              server.send(server.request("/console/" + file).header("If-None-Match", etag).GET());
          assertEquals(304, again.statusCode(), file);
          assertEquals("", again.body());
        });
    for (String file : FILES) {
      assertEquals(200, server.get("/console/" + file).statusCode(), file);
    }
  }

  @Test
  void onlyTheConsolesFilesArePublic() {
    assertEquals(404, server.get("/console/missing.js").statusCode());
    assertEquals(404, server.get("/console/reference.conf").statusCode());
    // dot segments are resolved before the gate: out of /console/ is out of the public files
    assertEquals(401, server.get("/console/%2e%2e/openapi.json").statusCode());
    assertEquals(404, server.get("/console/..%2fopenapi.json").statusCode());
    assertEquals(404, server.get("/console/a/app.js").statusCode());
    // the API is not
    assertEquals(401, server.get("/agent/agents").statusCode());
    assertEquals(401, server.get("/openapi.json").statusCode());
    assertEquals(401, server.get("/consoles").statusCode());
    // nor anything but reading the console's files
    HttpResponse<String> post =
        server.send(
            server.request("/console/").POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertEquals(401, post.statusCode());
    HttpResponse<String> authorized =
        server.send(server.request("/agent/agents").header("Authorization", "Bearer " + TOKEN).GET());
    assertEquals(200, authorized.statusCode());
  }

  @Test
  void theFilesLoadNothingFromElsewhereAndRunNoInlineCode() throws IOException {
    for (String file : FILES) {
      String text = resource(file);
      if (!file.endsWith(".svg")) {
        assertFalse(text.contains("http://") || text.contains("https://"), file + " names another origin");
      }
      if (file.endsWith(".js")) {
        for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function")) {
          assertFalse(text.contains(sink), file + " uses " + sink);
        }
        // every module it imports is one of the console's files
        Matcher imports = Pattern.compile("from '\\./([a-z-]+\\.js)'").matcher(text);
        while (imports.find()) {
          assertTrue(FILES.contains(imports.group(1)), file + " imports " + imports.group(1));
        }
      }
    }
    String index = resource("index.html");
    Matcher scripts = Pattern.compile("<script([^>]*)>").matcher(index);
    while (scripts.find()) {
      assertTrue(scripts.group(1).contains("src="), "an inline script: " + scripts.group());
    }
    assertFalse(Pattern.compile("\\son[a-z]+=").matcher(index).find(), "an inline event handler");
    assertFalse(index.contains("style="), "an inline style");
  }

  private static void assertSecurityHeaders(HttpResponse<String> response) {
    String csp = response.headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(csp.startsWith("default-src 'self';"), csp);
    assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), csp);
    assertTrue(csp.contains("frame-ancestors 'none'"), csp);
    assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(""));
    assertEquals("no-referrer", response.headers().firstValue("Referrer-Policy").orElse(""));
    assertEquals("no-cache", response.headers().firstValue("Cache-Control").orElse(""));
  }

  private static String resource(String file) throws IOException {
    try (InputStream in =
        ConsoleRoutesTest.class.getClassLoader().getResourceAsStream(ConsoleRoutes.RESOURCE_DIR + file)) {
      assertNotNull(in, file);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
