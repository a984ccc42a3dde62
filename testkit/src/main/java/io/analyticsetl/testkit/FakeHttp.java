package io.analyticsetl.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What every local fake API server needs from {@code com.sun.net.httpserver}: parameters in, JSON or text out. */
public final class FakeHttp {

  private static final ObjectMapper JSON = new ObjectMapper();

  private FakeHttp() {}

  /** The request's query parameters, decoded. */
  public static Map<String, String> query(URI uri) {
    return uri.getRawQuery() == null ? new LinkedHashMap<>() : form(uri.getRawQuery());
  }

  /** {@code a=1&b=2} (a query string or a form body), decoded. */
  public static Map<String, String> form(String encoded) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : encoded.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return fields;
  }

  /** A JSON answer; a null body answers with no content. */
  public static void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
    if (body == null) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    respondBytes(exchange, status, "application/json", JSON.writeValueAsBytes(body));
  }

  /** A plain text (or XML) answer. */
  public static void respondText(HttpExchange exchange, int status, String text) throws IOException {
    respondBytes(exchange, status, null, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Bytes as they are, with their content type (none when null). */
  public static void respondBytes(HttpExchange exchange, int status, String contentType, byte[] bytes) throws IOException {
    if (contentType != null) {
      exchange.getResponseHeaders().add("Content-Type", contentType);
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
