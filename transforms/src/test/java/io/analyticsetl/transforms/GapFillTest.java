package io.analyticsetl.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.values.DayRange;
import io.analyticsetl.common.values.LocalDateCoder;
import io.analyticsetl.testkit.TestPipelineExtension;
import java.time.LocalDate;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class GapFillTest {

  private static final KvCoder<String, KV<LocalDate, Long>> OBSERVATION =
      KvCoder.of(StringUtf8Coder.of(), KvCoder.of(LocalDateCoder.of(), VarLongCoder.of()));

  private static KV<String, KV<LocalDate, Long>> at(String key, String day, long value) {
    return KV.of(key, KV.of(LocalDate.parse(day), value));
  }

  private static PCollection<KV<String, DayRange>> ranges(Pipeline p, KV<String, DayRange>... ranges) {
    return p.apply("Ranges", Create.of(java.util.Arrays.asList(ranges))
        .withCoder(KvCoder.of(StringUtf8Coder.of(), DayRange.Coder.of())));
  }

  private static KV<String, DayRange> range(String key, String first, String last) {
    return KV.of(key, new DayRange(LocalDate.parse(first), LocalDate.parse(last)));
  }

  @Test
  @SuppressWarnings("unchecked")
  void fillsEveryDayOfEachKeysOwnRangeAcrossMonthAndYearEnds(TestPipeline p) {
    PCollection<KV<String, KV<LocalDate, Long>>> observed =
        p.apply(
            "Observed",
            Create.of(
                    at("a", "2025-12-30", 5),
                    at("a", "2026-01-02", 7),
                    at("a", "2026-01-05", 9), // outside a's range: dropped
                    at("b", "2026-02-28", 1),
                    at("c", "2026-01-01", 3)) // c has no range: nothing
                .withCoder(OBSERVATION));
    PCollection<KV<String, KV<LocalDate, Long>>> filled =
        observed.apply(
            GapFill.<String, Long>daily()
                .between(
                    ranges(
                        p,
                        range("a", "2025-12-30", "2026-01-02"),
                        range("b", "2026-02-27", "2026-03-01"),
                        range("d", "2026-05-05", "2026-05-05")))
                .withDefault(0L)
                .countingIn(StageCounters.of("gap_fill_test")));
    PAssert.that(filled)
        .containsInAnyOrder(
            at("a", "2025-12-30", 5),
            at("a", "2025-12-31", 0),
            at("a", "2026-01-01", 0),
            at("a", "2026-01-02", 7),
            at("b", "2026-02-27", 0),
            at("b", "2026-02-28", 1),
            at("b", "2026-03-01", 0),
            at("d", "2026-05-05", 0));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    var counters =
        result.metrics().queryMetrics(
            MetricsFilter.builder()
                .addNameFilter(MetricNameFilter.inNamespace(StageCounters.NAMESPACE))
                .build());
    long filtered = 0;
    long read = 0;
    for (var counter : counters.getCounters()) {
      if (counter.getName().getName().startsWith("gap_fill_test|filtered")) {
        filtered += counter.getCommitted();
      }
      if (counter.getName().getName().equals("gap_fill_test|read")) {
        read += counter.getCommitted();
      }
    }
    assertThat(read + " read, " + filtered + " filtered", containsString("5 read, 2 filtered"));
  }

  @Test
  void twoObservationsOfOneDayAreAnError(TestPipeline p) {
    p.apply(
            "Observed",
            Create.of(at("a", "2026-01-01", 1), at("a", "2026-01-01", 2)).withCoder(OBSERVATION))
        .apply(
            GapFill.<String, Long>daily()
                .between(ranges(p, range("a", "2026-01-01", "2026-01-02")))
                .withDefault(0L));
    Pipeline.PipelineExecutionException failure =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run().waitUntilFinish());
    assertThat(failure.getMessage(), containsString("two observations for 2026-01-01"));
  }

  @Test
  void refusesToExpandWithoutADefault(TestPipeline p) {
    PCollection<KV<String, KV<LocalDate, Long>>> observed =
        p.apply("Observed", Create.of(at("a", "2026-01-01", 1)).withCoder(OBSERVATION));
    IllegalStateException missing =
        assertThrows(
            IllegalStateException.class,
            () -> observed.apply(GapFill.<String, Long>daily().between(ranges(p, range("a", "2026-01-01", "2026-01-01")))));
    assertThat(missing.getMessage(), containsString("withDefault"));
    p.enableAbandonedNodeEnforcement(false);
  }
}
