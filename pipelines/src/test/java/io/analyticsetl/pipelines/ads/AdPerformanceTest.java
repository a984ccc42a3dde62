package io.analyticsetl.pipelines.ads;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

class AdPerformanceTest {

  private static Row creative(String headline, LocalDate start) {
    return Row.withSchema(Creatives.SCHEMA)
        .addValues("meta", "23850001", headline, null, null, null, null, null, start, null)
        .build();
  }

  @Test
  void anAdsRepeatedCreativesResolveToTheSameOneInAnyOrder() {
    Row older = creative("Spring sale", LocalDate.of(2026, 3, 1));
    Row newer = creative("Summer sale", LocalDate.of(2026, 6, 1));
    Row undated = creative("Zebra", null);
    Row sameDayOtherHeadline = creative("Autumn sale", LocalDate.of(2026, 6, 1));
    List<Row> creatives = new ArrayList<>(List.of(older, newer, undated, sameDayOtherHeadline));
    for (int shuffle = 0; shuffle < 10; shuffle++) {
      Collections.shuffle(creatives, new java.util.Random(shuffle));
      assertThat(creatives.stream().max(AdPerformance.NEWEST_CREATIVE).orElseThrow(), is(newer));
    }
  }
}
