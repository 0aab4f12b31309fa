package io.helix.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A WebSocket is not subject to CORS, so the server checks a browser's {@code Origin} itself: its
 * own pages and the allowed origins may open one, another site's page may not (403); clients that
 * send no Origin are not browsers and are not concerned.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketOriginTest {

  private final TestServer server = new TestServer();
  private final String runId = server.execute("adder", "add 2 and 3");
  private final java.net.URI allowing =
      server.bind(
          server.runtime.executor,
          server.settings.withCorsAllowedOrigins(List.of("https://app.example.com")),
          server.history);

  @AfterAll
  void stop() {
    server.close();
  }

  private String statusLine(java.net.URI base, String origin) throws IOException {
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      String request =
          "GET /ws/" + runId + " HTTP/1.1\r\n"
              + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
              + (origin == null ? "" : "Origin: " + origin + "\r\n")
              + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        line.append((char) c);
      }
      return line.toString().trim();
    }
  }

  @Test
  void onlyThisServersPagesAndAllowedOriginsOpenAWebSocket() throws IOException {
    java.net.URI open = server.base;
    assertTrue(statusLine(open, null).startsWith("HTTP/1.1 101"), "no Origin: not a browser");
    String self = "http://" + open.getHost() + ":" + open.getPort();
    assertTrue(statusLine(open, self).startsWith("HTTP/1.1 101"), "the server's own pages");
    assertTrue(statusLine(open, "https://evil.example").startsWith("HTTP/1.1 403"), "another site");
    assertTrue(
        statusLine(allowing, "https://app.example.com").startsWith("HTTP/1.1 101"),
        "an allowed origin");
    assertTrue(
        statusLine(allowing, "https://evil.example").startsWith("HTTP/1.1 403"), "not allowed");
  }
}
