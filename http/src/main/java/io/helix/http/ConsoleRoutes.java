package io.helix.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The run console: a single-page application in the browser, served by the API itself at {@code
 * /console/} (same origin, so it calls the API with no CORS). Its files are plain ES modules, CSS
 * and HTML in the class path under {@code io/helix/http/console/}; there is no JavaScript build
 * step and nothing is fetched from elsewhere.
 *
 * <ul>
 *   <li>{@code GET /console} redirects (301) to {@code /console/}, so that the page's relative
 *       URLs resolve; the redirect is relative ({@code Location: console/}), which also holds behind
 *       a reverse proxy that mounts the API under a path.
 *   <li>{@code GET /console/} is {@code index.html}; {@code GET /console/<name>} is the file of
 *       that name ({@code .html}, {@code .js}, {@code .css}, {@code .svg}; one path segment, no
 *       directories), else 404.
 *   <li>Each answer has its content type, a strong {@code ETag} (a digest of the content; {@code
 *       If-None-Match} is answered 304) and {@code Cache-Control: no-cache}: the browser keeps the
 *       files and revalidates them, so a new server version is picked up at once without versioned
 *       file names.
 *   <li>A strict {@code Content-Security-Policy} ({@link #CONTENT_SECURITY_POLICY}): scripts, styles
 *       and connections from this origin only, no inline script or style, no plugins, no framing,
 *       no form submission, and Trusted Types required (the console never writes HTML as text),
 *       with {@code X-Content-Type-Options: nosniff} and {@code Referrer-Policy: no-referrer}.
 * </ul>
 *
 * <p><b>Authentication</b>: the console's files are public ({@link #isPublic}): {@link
 * RequestGate} lets {@code GET} and {@code HEAD} requests under {@code /console} through without a
 * token, since a browser cannot attach a bearer token to a page it navigates to. They hold no data
 * and no secret: everything they show comes from the API, which stays protected. With {@code
 * helix.http.auth.tokens} set, the page asks for a token when the API answers 401, keeps it in the
 * tab's {@code sessionStorage}, sends it as {@code Authorization: Bearer} on its requests and as
 * {@code ?access_token=} on the Server-Sent Events stream (an EventSource cannot set headers).
 */
final class ConsoleRoutes extends AllDirectives {

  /** The first path segment of the console. */
  static final String PREFIX = "console";

  /** Where the console's files are in the class path. */
  static final String RESOURCE_DIR = "io/helix/http/console/";

  static final String INDEX = "index.html";

  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
          + " object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none';"
          + " require-trusted-types-for 'script'";

  /** A file name the console may have: one segment, a known extension, no dot-dot. */
  private static final Pattern FILE_NAME =
      Pattern.compile("[a-z0-9][a-z0-9-]*(?:\\.[a-z0-9-]+)*\\.(?:html|js|css|svg)");

  private static final Map<String, ContentType> CONTENT_TYPES =
      Map.of(
          "html", ContentTypes.TEXT_HTML_UTF8,
          "js", ContentTypes.parse("text/javascript; charset=UTF-8"),
          "css", ContentTypes.parse("text/css; charset=UTF-8"),
          "svg", ContentTypes.create(MediaTypes.IMAGE_SVG_XML));

  private static final List<HttpHeader> SECURITY_HEADERS =
      List.of(
          RawHeader.create("Content-Security-Policy", CONTENT_SECURITY_POLICY),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("Referrer-Policy", "no-referrer"),
          RawHeader.create("Cache-Control", "no-cache"));

  private static final ConsoleRoutes INSTANCE = new ConsoleRoutes();

  /** A file of the console, read once from the class path. */
  private record Asset(ContentType contentType, byte[] bytes, EntityTag etag) {}

  /** The files read so far (only files that exist: the names asked for are not kept). */
  private final Map<String, Asset> assets = new ConcurrentHashMap<>();

  private final Route route;

  private ConsoleRoutes() {
    this.route =
        pathPrefix(
            PREFIX,
            () ->
                get(
                    () ->
                        concat(
                            pathEnd(
                                () ->
                                    redirect(
                                        Uri.create(PREFIX + "/"), StatusCodes.MOVED_PERMANENTLY)),
                            pathSingleSlash(() -> file(INDEX)),
                            path(segment(), this::file))));
  }

  /** The console's routes: {@code /console}, {@code /console/} and its files. */
  static Route route() {
    return INSTANCE.route;
  }

  /**
   * Whether {@code request} asks for the console's files, which are served without a token: a
   * {@code GET} or {@code HEAD} of {@code /console} or a path under {@code /console/}. No other
   * route starts with that segment, so such a request can reach nothing but these files (or a
   * 404).
   */
  static boolean isPublic(HttpRequest request) {
    if (!request.method().equals(HttpMethods.GET) && !request.method().equals(HttpMethods.HEAD)) {
      return false;
    }
    String path = request.getUri().path();
    return path.equals("/" + PREFIX) || path.startsWith("/" + PREFIX + "/");
  }

  private Route file(String name) {
    Optional<Asset> asset = asset(name);
    if (asset.isEmpty()) {
      return reject();
    }
    Asset found = asset.get();
    return respondWithHeaders(
        SECURITY_HEADERS,
        () ->
            conditional(
                found.etag(),
                () ->
                    complete(
                        HttpResponse.create()
                            .withStatus(StatusCodes.OK)
                            .withEntity(HttpEntities.create(found.contentType(), found.bytes())))));
  }

  private Optional<Asset> asset(String name) {
    if (!FILE_NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    Asset cached = assets.get(name);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<Asset> loaded = load(name);
    loaded.ifPresent(asset -> assets.put(name, asset));
    return loaded;
  }

  private static Optional<Asset> load(String name) {
    String extension = name.substring(name.lastIndexOf('.') + 1);
    ContentType type = CONTENT_TYPES.get(extension);
    if (type == null) {
      return Optional.empty();
    }
    try (InputStream in =
        ConsoleRoutes.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + name)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      return Optional.of(new Asset(type, bytes, EntityTag.create(digest(bytes), false)));
    } catch (IOException e) {
      throw new UncheckedIOException("reading the console's " + name, e);
    }
  }

  /** The first 128 bits of the content's SHA-256, in hex. */
  private static String digest(byte[] bytes) {
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(bytes);
      return HexFormat.of().formatHex(sha, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
