package io.analyticsetl.pipelines.ads;

import static io.analyticsetl.pipelines.ads.AdsDatasets.AD_PERFORMANCE_DAILY;

import io.analyticsetl.testkit.TestPipelineExtension;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class ReconcileAdRowsTest {

  private static final Instant EARLIER = Instant.parse("2026-05-10T06:00:00Z");
  private static final Instant LATER = Instant.parse("2026-05-11T06:00:00Z");
  private static final LocalDate PULLED = LocalDate.of(2026, 5, 6);
  private static final LocalDate REPLAYED = LocalDate.of(2026, 5, 7);
  private static final LocalDate UNTOUCHED = LocalDate.of(2026, 5, 8);

  private static Row ad(String adId, LocalDate day, long impressions, Instant extractedAt) {
    return Row.withSchema(AD_PERFORMANCE_DAILY.beamSchema())
        .withFieldValue("platform", "GOOGLE_ADS").withFieldValue("account_id", "1234567890").withFieldValue("date", day)
        .withFieldValue("ad_id", adId).withFieldValue("ad_status", "ACTIVE").withFieldValue("account_currency", "EUR")
        .withFieldValue("impressions", impressions).withFieldValue("clicks", 1L).withFieldValue("spend", BigDecimal.ONE)
        .withFieldValue("spend_micros", 1_000_000L).withFieldValue("conversions", BigDecimal.ZERO)
        .withFieldValue("conversion_value", BigDecimal.ZERO).withFieldValue("extracted_at", extractedAt)
        .build();
  }

  private static Row extracted(String adId, LocalDate day) {
    return Row.withSchema(Extracted.SCHEMA).withFieldValue("platform", "GOOGLE_ADS").withFieldValue("account_id", "1234567890")
        .withFieldValue("date", day).withFieldValue("ad_id", adId).withFieldValue("extracted_at", EARLIER).build();
  }

  @Test
  void theLatestExtractionOfAnAccountDayWins(TestPipeline p) {
    PCollection<Row> stored = p.apply("Stored", Create.of(List.of(
            ad("g1", PULLED, 10, EARLIER), ad("g2", PULLED, 20, EARLIER), ad("g3", PULLED, 30, EARLIER),
            ad("g1", REPLAYED, 11, LATER),
            ad("g5", UNTOUCHED, 50, EARLIER)))
        .withRowSchema(AD_PERFORMANCE_DAILY.beamSchema()));
    // May 6 pulled later than stored: g1 restated, g2 gone, g3 returned but refused by validation.
    // May 7 replayed from a checkpoint older than the stored rows: g1's old figures and g4, which the
    // later extraction did not report.
    PCollection<Row> run = p.apply("Run", Create.of(List.of(
            ad("g1", PULLED, 12, LATER),
            ad("g1", REPLAYED, 9, EARLIER), ad("g4", REPLAYED, 40, EARLIER)))
        .withRowSchema(AD_PERFORMANCE_DAILY.beamSchema()));
    PCollection<Row> extracted = p.apply("Extracted", Create.of(List.of(
            extracted("g1", PULLED), extracted("g3", PULLED), extracted("g1", REPLAYED), extracted("g4", REPLAYED)))
        .withRowSchema(Extracted.SCHEMA));
    PCollection<Row> covered = p.apply("Covered", Create.of(List.of(
            ReconcileAdRows.coverage(Platform.GOOGLE_ADS, "1234567890", PULLED, LATER),
            ReconcileAdRows.coverage(Platform.GOOGLE_ADS, "1234567890", REPLAYED, EARLIER)))
        .withRowSchema(ReconcileAdRows.COVERAGE));

    PCollectionTuple reconciled = stored.apply(new ReconcileAdRows(run, extracted, covered));

    PAssert.that(reconciled.get(ReconcileAdRows.WRITTEN)).containsInAnyOrder(ad("g1", PULLED, 12, LATER));
    PAssert.that(reconciled.get(ReconcileAdRows.VANISHED)).containsInAnyOrder(ad("g2", PULLED, 20, LATER));
    PAssert.that(reconciled.get(ReconcileAdRows.CURRENT))
        .containsInAnyOrder(
            ad("g1", PULLED, 12, LATER), ad("g3", PULLED, 30, EARLIER),
            ad("g1", REPLAYED, 11, LATER),
            ad("g5", UNTOUCHED, 50, EARLIER));
    p.run();
  }
}
