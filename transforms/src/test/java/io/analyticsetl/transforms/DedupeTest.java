package io.analyticsetl.transforms;

import io.analyticsetl.testkit.TestPipelineExtension;
import java.time.Instant;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class DedupeTest {

  private static final Schema AD =
      Schema.builder()
          .addStringField("platform")
          .addStringField("ad_id")
          .addInt64Field("clicks")
          .addLogicalTypeField("extracted_at", SqlTypes.TIMESTAMP)
          .build();

  private static Row ad(String platform, String id, long clicks, String extractedAt) {
    return Row.withSchema(AD).addValues(platform, id, clicks, Instant.parse(extractedAt)).build();
  }

  @Test
  void keepsTheNewestVersionPerNaturalKey(TestPipeline p) {
    PCollection<Row> rows =
        p.apply(
            Create.of(
                    ad("META", "1", 10, "2026-03-01T00:00:00Z"),
                    ad("META", "1", 12, "2026-03-03T00:00:00Z"), // newest of META/1
                    ad("META", "1", 11, "2026-03-02T00:00:00Z"),
                    ad("TIKTOK", "1", 5, "2026-03-01T00:00:00Z"), // same ad id, other platform
                    ad("META", "2", 7, "2026-03-01T00:00:00Z"),
                    ad("META", "2", 8, "2026-03-01T00:00:00Z")) // tie: decided by content, not order
                .withRowSchema(AD));
    PAssert.that(rows.apply(Dedupe.byKey("platform", "ad_id").newestBy("extracted_at")))
        .containsInAnyOrder(
            ad("META", "1", 12, "2026-03-03T00:00:00Z"),
            ad("TIKTOK", "1", 5, "2026-03-01T00:00:00Z"),
            ad("META", "2", 8, "2026-03-01T00:00:00Z"));
    p.run();
  }
}
