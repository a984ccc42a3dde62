package io.analyticsetl.pipelines.ads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Ad and campaign statuses, which most platforms leave out of their performance reports: a connector
 * reads them from the platform's entity APIs and keeps those pages beside the report's, tagged with
 * their {@link Entity}, so a slice's checkpoint holds everything its rows are built from.
 */
final class EntityStatuses {

  /** The entity listings a connector keeps: {@code "entity":"ads"} or {@code "entity":"campaigns"}. */
  enum Entity {
    ADS("ads", "ad"),
    CAMPAIGNS("campaigns", "campaign");

    final String tag;
    final String noun;

    Entity(String tag, String noun) {
      this.tag = tag;
      this.noun = noun;
    }
  }

  private EntityStatuses() {}

  /** The page as received, tagged as an entity page (the paging links dropped: they may hold tokens). */
  static String tagged(JsonNode page, Entity entity) {
    if (!page.isObject()) {
      throw new AdsApiException(AdsApiException.Kind.BAD_REQUEST, "a " + entity.noun + " listing is not a JSON object: " + page, null);
    }
    ObjectNode kept = ((ObjectNode) page).deepCopy();
    kept.remove("paging");
    kept.put("entity", entity.tag);
    return kept.toString();
  }

  /** Whether the page is an entity listing rather than a report page. */
  static boolean isEntityPage(JsonNode page) {
    return page.has("entity");
  }

  /**
   * The raw status of each id found in the entity's pages; {@code read} puts a page's (id, raw
   * status) pairs into the map.
   */
  static Map<String, String> of(List<String> pages, Entity entity, BiConsumer<JsonNode, Map<String, String>> read) {
    Map<String, String> statuses = new HashMap<>();
    for (String text : pages) {
      JsonNode page = Wire.json(text);
      if (entity.tag.equals(page.path("entity").asText())) {
        read.accept(page, statuses);
      }
    }
    return statuses;
  }
}
