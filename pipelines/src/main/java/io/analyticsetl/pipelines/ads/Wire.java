package io.analyticsetl.pipelines.ads;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.analyticsetl.common.json.Json;
import io.analyticsetl.common.ledger.RunSignals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Lenient reading of the platforms' wire values: numbers arrive as JSON numbers or as strings
 * ("361324", "5339.5"), sometimes as null. A missing metric is 0 (platforms omit zero fields), and so
 * is one sent as an explicit null, counted in the ledger's notes; text that is not a number becomes
 * null, which validation then reports.
 */
final class Wire {

  /** JSON numbers with a fraction are read as exact decimals, never as doubles. */
  private static final ObjectMapper READER = Json.MAPPER.copy().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private Wire() {}

  static JsonNode json(String text) {
    try {
      return READER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + text.substring(0, Math.min(80, text.length())), e);
    }
  }

  static JsonNode json(byte[] body) {
    return json(new String(body, StandardCharsets.UTF_8));
  }

  static String text(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return null;
    }
    String text = node.asText();
    return text.isEmpty() ? null : text;
  }

  static final String NULL_METRIC = "ads metric values sent as an explicit null were read as 0";

  static BigDecimal decimal(JsonNode node) {
    if (node != null && node.isNull()) {
      RunSignals.note(NULL_METRIC);
      return BigDecimal.ZERO;
    }
    if (node == null || node.isMissingNode()) {
      return BigDecimal.ZERO;
    }
    if (node.isNumber()) {
      return node.decimalValue();
    }
    String text = node.asText().trim();
    if (text.isEmpty()) {
      return BigDecimal.ZERO;
    }
    try {
      return new BigDecimal(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static Long count(JsonNode node) {
    BigDecimal value = decimal(node);
    if (value == null) {
      return null;
    }
    try {
      return value.longValueExact();
    } catch (ArithmeticException fractional) {
      return null;
    }
  }

  /** Micros (Google's cost_micros) as an exact decimal amount. */
  static BigDecimal fromMicros(JsonNode node) {
    BigDecimal micros = decimal(node);
    return micros == null ? null : micros.movePointLeft(6);
  }

  /** An amount in micros, half-even when the amount has more than six decimals. */
  static Long toMicros(BigDecimal amount) {
    return amount == null ? null : amount.movePointRight(6).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
  }

  /**
   * Fails on a paging token or link seen before, which would otherwise page forever; {@code paging}
   * names what is paged (e.g. "Meta's ads listing").
   */
  static void checkNotRepeated(Set<String> seen, String next, String paging) {
    if (next != null && !seen.add(next)) {
      throw new AdsApiException(AdsApiException.Kind.BAD_REQUEST, paging + " repeated a page", null);
    }
  }
}
