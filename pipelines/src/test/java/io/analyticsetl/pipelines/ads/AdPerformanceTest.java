package io.analyticsetl.pipelines.ads;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.math.BigDecimal;
import java.time.Instant;
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
  void moneyAndConversionsHaveTheStoredScaleSoFreshAndStoredRowsGiveTheSameFeatures() {
    Row extracted =
        new Extracted.Builder(Platform.GOOGLE_ADS, Instant.parse("2026-05-10T06:00:00Z"))
            .set("account_id", "1234567890").set("ad_id", "g1").set("account_currency", "USD").date("2026-05-09")
            .metrics(100L, 3L, new BigDecimal("1.2345675"), new BigDecimal("2.3333333333333335"), new BigDecimal("28.58333333333333"))
            .build();
    Row performance = AdPerformance.toPerformance(extracted, null);
    assertThat(performance.getDecimal("spend"), is(new BigDecimal("1.234568")));
    assertThat(performance.getInt64("spend_micros"), is(1234568L));
    assertThat(performance.getDecimal("conversions"), is(new BigDecimal("2.333333")));
    assertThat(performance.getDecimal("conversion_value"), is(new BigDecimal("28.583333")));
    assertThat(performance.getDecimal("roas"), is(AdMath.roas(new BigDecimal("28.583333"), new BigDecimal("1.234568"))));
  }

  @Test
  void eachDayGetsTheCreativeVersionInEffectThenInAnyOrder() {
    Row older = creative("Spring sale", LocalDate.of(2026, 3, 1));
    Row newer = creative("Summer sale", LocalDate.of(2026, 6, 1));
    Row undated = creative("Zebra", null);
    Row sameDayOtherHeadline = creative("Autumn sale", LocalDate.of(2026, 6, 1));
    List<Row> creatives = new ArrayList<>(List.of(older, newer, undated, sameDayOtherHeadline));
    for (int shuffle = 0; shuffle < 10; shuffle++) {
      Collections.shuffle(creatives, new java.util.Random(shuffle));
      List<Row> sorted = new ArrayList<>(creatives);
      sorted.sort(AdPerformance.NEWEST_CREATIVE);
      assertThat(AdPerformance.inEffect(sorted, LocalDate.of(2026, 6, 10)), is(newer));
      assertThat("a later version did not exist yet", AdPerformance.inEffect(sorted, LocalDate.of(2026, 5, 31)), is(older));
      assertThat("an undated version applies until a dated one starts", AdPerformance.inEffect(sorted, LocalDate.of(2026, 2, 1)), is(undated));
    }
    List<Row> dated = new ArrayList<>(List.of(newer, older));
    dated.sort(AdPerformance.NEWEST_CREATIVE);
    assertThat("before any started: the first", AdPerformance.inEffect(dated, LocalDate.of(2026, 1, 1)), is(older));
    assertThat(AdPerformance.inEffect(List.of(), LocalDate.of(2026, 1, 1)), is((Row) null));
  }
}
