package io.analyticsetl.pipelines.ads;

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
class AdStatusesTest {

  @Test
  void entityPagesAreTaggedWithoutTheirPagingLinksAndReadBack() throws Exception {
    String page = AdStatuses.tagged(Json.MAPPER.readTree(
        "{\"data\":[{\"id\":\"1\",\"effective_status\":\"PAUSED\"}],\"paging\":{\"next\":\"https://x/?access_token=secret\"}}"));
    assertThat(page.contains("secret"), is(false));
    Map<String, String> statuses =
        AdStatuses.of(List.of("{\"data\":[{\"id\":\"9\",\"effective_status\":\"ACTIVE\"}]}", page),
            (p, out) -> p.path("data").forEach(ad -> out.put(ad.path("id").asText(), ad.path("effective_status").asText())));
    assertThat(statuses, is(Map.of("1", "PAUSED"))); // the untagged report page is not read
  }

  @Test
  void aRepeatedPageOrANonObjectListingFailsInsteadOfLoopingOrCrashing() throws Exception {
    Set<String> seen = new HashSet<>();
    AdStatuses.checkNotRepeated(seen, "token-2", "Amazon Ads");
    AdStatuses.checkNotRepeated(seen, null, "Amazon Ads");
    AdsApiException repeated = assertThrows(AdsApiException.class, () -> AdStatuses.checkNotRepeated(seen, "token-2", "Amazon Ads"));
    assertThat(repeated.getMessage(), containsString("Amazon Ads repeated a page"));
    assertThrows(AdsApiException.class, () -> AdStatuses.tagged(Json.MAPPER.readTree("[1, 2]")));
  }
}
