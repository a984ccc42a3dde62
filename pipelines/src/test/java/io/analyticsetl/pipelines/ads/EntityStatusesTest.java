package io.analyticsetl.pipelines.ads;

import static io.analyticsetl.pipelines.ads.EntityStatuses.Entity.ADS;
import static io.analyticsetl.pipelines.ads.EntityStatuses.Entity.CAMPAIGNS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.analyticsetl.common.json.Json;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Entity pages kept beside report pages, and the guards of the entity listings' paging. */
class EntityStatusesTest {

  @Test
  void entityPagesAreTaggedWithoutTheirPagingLinksAndReadBackByEntity() throws Exception {
    String ads = EntityStatuses.tagged(Json.MAPPER.readTree(
        "{\"data\":[{\"id\":\"1\",\"effective_status\":\"PAUSED\"}],\"paging\":{\"next\":\"https://x/?access_token=secret\"}}"), ADS);
    String campaigns = EntityStatuses.tagged(Json.MAPPER.readTree("{\"data\":[{\"id\":\"7\",\"effective_status\":\"ARCHIVED\"}]}"), CAMPAIGNS);
    assertThat(ads.contains("secret"), is(false));
    assertThat(EntityStatuses.isEntityPage(Json.MAPPER.readTree(campaigns)), is(true));
    List<String> pages = List.of("{\"data\":[{\"id\":\"9\",\"effective_status\":\"ACTIVE\"}]}", ads, campaigns);
    java.util.function.BiConsumer<com.fasterxml.jackson.databind.JsonNode, Map<String, String>> read =
        (p, out) -> p.path("data").forEach(e -> out.put(e.path("id").asText(), e.path("effective_status").asText()));
    // The untagged report page is not read, and each entity's statuses stay apart.
    assertThat(EntityStatuses.of(pages, ADS, read), is(Map.of("1", "PAUSED")));
    assertThat(EntityStatuses.of(pages, CAMPAIGNS, read), is(Map.of("7", "ARCHIVED")));
  }

  @Test
  void aRepeatedPageOrANonObjectListingFailsInsteadOfLoopingOrCrashing() throws Exception {
    Set<String> seen = new HashSet<>();
    Wire.checkNotRepeated(seen, "token-2", "Amazon Ads' product ads listing");
    Wire.checkNotRepeated(seen, null, "Amazon Ads' product ads listing");
    AdsApiException repeated =
        assertThrows(AdsApiException.class, () -> Wire.checkNotRepeated(seen, "token-2", "Amazon Ads' product ads listing"));
    assertThat(repeated.getMessage(), containsString("Amazon Ads' product ads listing repeated a page"));
    assertThrows(AdsApiException.class, () -> EntityStatuses.tagged(Json.MAPPER.readTree("[1, 2]"), CAMPAIGNS));
  }
}
