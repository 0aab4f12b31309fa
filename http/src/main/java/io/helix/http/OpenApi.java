package io.helix.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The API's OpenAPI 3.1 document (the resource {@code io/helix/http/openapi.json}, written by hand
 * and checked against the routes by {@code OpenApiConformanceTest}); served at {@code GET
 * /openapi.json}.
 */
final class OpenApi {

  static final String RESOURCE = "/io/helix/http/openapi.json";

  private OpenApi() {}

  static byte[] document() {
    try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the OpenAPI document " + RESOURCE + " is missing");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
