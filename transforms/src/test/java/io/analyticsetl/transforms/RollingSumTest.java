package io.analyticsetl.transforms;

import io.analyticsetl.common.values.LocalDateCoder;
import io.analyticsetl.testkit.TestPipelineExtension;
import java.math.BigDecimal;
import java.time.LocalDate;
import org.apache.beam.sdk.coders.BigDecimalCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class RollingSumTest {

  private static final KvCoder<String, KV<LocalDate, Long>> LONGS =
      KvCoder.of(StringUtf8Coder.of(), KvCoder.of(LocalDateCoder.of(), VarLongCoder.of()));

  private static KV<String, KV<LocalDate, Long>> at(String key, String day, long value) {
    return KV.of(key, KV.of(LocalDate.parse(day), value));
  }

  @Test
  void asOfSumsTheWindowEndingOnTheDayAcrossAYearEnd(TestPipeline p) {
    PCollection<KV<String, KV<LocalDate, Long>>> values =
        p.apply(
            Create.of(
                    at("a", "2025-12-02", 1000), // 31 days before Jan 1: outside
                    at("a", "2025-12-03", 1), // first day of the 30-day window
                    at("a", "2025-12-31", 10),
                    at("a", "2025-12-31", 10), // two values on one day add up
                    at("a", "2026-01-01", 100), // the window's last day
                    at("a", "2026-01-02", 5000), // after: outside
                    at("b", "2025-11-01", 7)) // no value in the window: no output
                .withCoder(LONGS));
    PAssert.that(values.apply(RollingSum.<String>longs(30).asOf(LocalDate.parse("2026-01-01"))))
        .containsInAnyOrder(KV.of("a", 121L));
    p.run();
  }

  @Test
  void dailySeriesIsCorrectForSparseDaysAndMonthEndsInLeapYears(TestPipeline p) {
    PCollection<KV<String, KV<LocalDate, Long>>> values =
        p.apply(
            Create.of(
                    at("a", "2028-02-23", 1),
                    at("a", "2028-02-29", 2), // leap day
                    at("a", "2028-03-01", 4),
                    at("a", "2028-03-07", 8),
                    at("b", "2026-02-22", 16),
                    at("b", "2026-02-28", 32),
                    at("b", "2026-03-06", 64))
                .withCoder(LONGS));
    PAssert.that(values.apply(RollingSum.<String>longs(7).daily()))
        .containsInAnyOrder(
            at("a", "2028-02-23", 1),
            at("a", "2028-02-29", 3), // Feb 23..29
            at("a", "2028-03-01", 6), // Feb 24..Mar 1: Feb 23 has left the window
            at("a", "2028-03-07", 12), // Mar 1..7: Mar 1 is still inside
            at("b", "2026-02-22", 16),
            at("b", "2026-02-28", 48), // Feb 22..28
            at("b", "2026-03-06", 96)); // Feb 28..Mar 6 in a year without Feb 29
    p.run();
  }

  @Test
  void decimalsStayExact(TestPipeline p) {
    KvCoder<String, KV<LocalDate, BigDecimal>> coder =
        KvCoder.of(StringUtf8Coder.of(), KvCoder.of(LocalDateCoder.of(), BigDecimalCoder.of()));
    PCollection<KV<String, KV<LocalDate, BigDecimal>>> values =
        p.apply(
            Create.of(
                    KV.of("a", KV.of(LocalDate.parse("2026-01-01"), new BigDecimal("0.10"))),
                    KV.of("a", KV.of(LocalDate.parse("2026-01-02"), new BigDecimal("0.20"))))
                .withCoder(coder));
    PAssert.that(values.apply(RollingSum.<String>decimals(28).daily()))
        .containsInAnyOrder(
            KV.of("a", KV.of(LocalDate.parse("2026-01-01"), new BigDecimal("0.10"))),
            KV.of("a", KV.of(LocalDate.parse("2026-01-02"), new BigDecimal("0.30"))));
    p.run();
  }
}
