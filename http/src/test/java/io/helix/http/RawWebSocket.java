package io.helix.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.helix.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client on a plain socket, for what the JDK's client hides: the answer to an upgrade
 * request that is refused, and a client that does not read at all (a small receive buffer, and
 * nothing read until the test says so).
 */
final class RawWebSocket implements AutoCloseable {

  record Frame(int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The status code of a close frame. */
    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }
  }

  static final int TEXT = 1;
  static final int CLOSE = 8;
  static final int PING = 9;

  private final Socket socket;
  private final InputStream in;
  final int status;
  final Map<String, String> headers;
  final String body;

  private RawWebSocket(Socket socket, int status, Map<String, String> headers, String body)
      throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /** Sends the upgrade request and reads the answer's head (and body, unless 101). */
  static RawWebSocket open(URI base, String path, int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
    socket.setSoTimeout(30_000);
    String request =
        "GET " + path + " HTTP/1.1\r\n"
            + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    String statusLine = readLine(in);
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new HashMap<>();
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      headers.put(
          line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    String body = "";
    if (status != 101) {
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
    return new RawWebSocket(socket, status, headers, body);
  }

  /** One byte at a time, so nothing after the head is consumed. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("connection closed in the response head");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  /** The next frame (server frames are not masked); null at the end of the connection. */
  Frame readFrame() throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      return null;
    }
    int b1 = in.read();
    long length = b1 & 0x7F;
    if (length == 126) {
      length = ((in.read() & 0xFF) << 8) | (in.read() & 0xFF);
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | (in.read() & 0xFF);
      }
    }
    byte[] payload = in.readNBytes((int) length);
    if (payload.length < length) {
      throw new IOException("connection closed in a frame");
    }
    return new Frame(b0 & 0x0F, payload);
  }

  /**
   * What a subscriber that read nothing until now was sent, read to the close: its chunk frames,
   * which must have contiguous offsets from 0 ({@code failure} says otherwise), then the control
   * frame that ended them (null: none), then the close.
   */
  record Sent(long chunks, JsonNode control, int closeCode, String failure) {}

  /** Reads all that was sent on this subscription (see {@link Sent}). */
  Sent readSent() throws IOException {
    long chunks = 0;
    JsonNode control = null;
    for (Frame frame = readFrame(); frame != null; frame = readFrame()) {
      if (frame.opcode() == TEXT) {
        JsonNode json = Json.parse(frame.text());
        if (control != null) {
          return new Sent(chunks, control, -1, "a frame after the control frame: " + json);
        }
        if (!json.has("seq")) {
          control = json;
        } else if (json.get("seq").asLong() != chunks++) {
          return new Sent(chunks, null, -1, "offset " + json.get("seq") + " at " + (chunks - 1));
        }
      } else if (frame.opcode() == CLOSE) {
        return new Sent(chunks, control, frame.closeCode(), null);
      }
    }
    return new Sent(chunks, control, -1, null);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
