package io.analyticsetl.pipelines.ads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Ad statuses, which no platform but Google puts in its performance report: each connector reads
 * them from the platform's ad entity API and keeps those pages beside the report's, tagged
 * {@code "entity":"ads"}, so a slice's checkpoint holds everything its rows are built from.
 */
final class AdStatuses {

  private AdStatuses() {}

  /** The page as received, tagged as an entity page (the paging links dropped: they may hold tokens). */
  static String tagged(JsonNode page) {
    if (!page.isObject()) {
      throw new AdsApiException(AdsApiException.Kind.BAD_REQUEST, "an ad entity listing is not a JSON object: " + page, null);
    }
    ObjectNode kept = ((ObjectNode) page).deepCopy();
    kept.remove("paging");
    kept.put("entity", "ads");
    return kept.toString();
  }

  /** Fails on a paging token or link seen before, which would otherwise page forever. */
  static void checkNotRepeated(java.util.Set<String> seen, String next, String platform) {
    if (next != null && !seen.add(next)) {
      throw new AdsApiException(AdsApiException.Kind.BAD_REQUEST, platform + " repeated a page of its ad listing", null);
    }
  }

  static boolean isEntityPage(JsonNode page) {
    return "ads".equals(page.path("entity").asText());
  }

  /**
   * The raw status of each ad id found in the entity pages; {@code read} puts an entity page's
   * (ad id, raw status) pairs into the map.
   */
  static Map<String, String> of(List<String> pages, BiConsumer<JsonNode, Map<String, String>> read) {
    Map<String, String> statuses = new HashMap<>();
    for (String text : pages) {
      JsonNode page = Wire.json(text);
      if (isEntityPage(page)) {
        read.accept(page, statuses);
      }
    }
    return statuses;
  }
}
