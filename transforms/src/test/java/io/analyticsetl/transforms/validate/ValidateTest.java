package io.analyticsetl.transforms.validate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import io.analyticsetl.common.deadletter.DeadLetter;
import io.analyticsetl.testkit.TestPipelineExtension;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class ValidateTest {

  private static final Schema AD =
      Schema.builder()
          .addNullableField("ad_id", Schema.FieldType.STRING)
          .addNullableField("platform", Schema.FieldType.STRING)
          .addNullableField("headline", Schema.FieldType.STRING)
          .addNullableField("impressions", Schema.FieldType.INT64)
          .addNullableField("clicks", Schema.FieldType.INT64)
          .addNullableField("spend", Schema.FieldType.DECIMAL)
          .addNullableField("country", Schema.FieldType.STRING)
          .addNullableField("raw_date", Schema.FieldType.STRING)
          .addNullableField("start_date", Schema.FieldType.logicalType(SqlTypes.DATE))
          .addNullableField("end_date", Schema.FieldType.logicalType(SqlTypes.DATE))
          .build();

  private static final Rule[] RULES = {
    Rule.required("ad_id"),
    Rule.allowedValues("platform", List.of("META", "TIKTOK")),
    Rule.maxLength("headline", 10),
    Rule.min("impressions", 0),
    Rule.min("spend", 0),
    Rule.max("clicks", 1_000),
    Rule.atMost("clicks", "impressions"),
    Rule.pattern("country", "[A-Z]{2}"),
    Rule.type("raw_date", "date"),
    Rule.notBefore("end_date", "start_date"),
  };

  private static Row ad(
      String id, String platform, String headline, Long impressions, Long clicks, String spend,
      String country, String rawDate, String start, String end) {
    return Row.withSchema(AD)
        .addValues(
            id, platform, headline, impressions, clicks, spend == null ? null : new BigDecimal(spend),
            country, rawDate, start == null ? null : LocalDate.parse(start), end == null ? null : LocalDate.parse(end))
        .build();
  }

  @Test
  void splitsValidRowsFromDeadLettersListingEveryFailedRule(TestPipeline p) {
    Row good = ad("1", "META", "Buy now", 100L, 5L, "1.50", "DE", "2026-03-01", "2026-03-01", "2026-03-01");
    Row nullsPass = ad("2", null, null, null, null, null, null, null, null, "2026-03-01");
    Row bad = ad(" ", "GOOGLE", "A headline that is too long", 3L, 5L, "-0.01", "deu", "03/01/2026", "2026-03-02", "2026-03-01");
    Row tooManyClicks = ad("4", "TIKTOK", "ok", 5_000L, 1_001L, "0", "FR", "2026-03-01", null, null);
    PCollectionTuple result =
        p.apply(Create.of(good, nullsPass, bad, tooManyClicks).withRowSchema(AD))
            .apply(Validate.stage("validate_ads").source("ads.csv").with(RULES));

    PAssert.that(result.get(Validate.VALID)).containsInAnyOrder(good, nullsPass);
    PAssert.that(
            result
                .get(Validate.INVALID)
                .apply(MapElements.into(TypeDescriptors.strings()).via(DeadLetter::error)))
        .containsInAnyOrder(
            "failed rules: ad_id is required (missing);"
                + " platform in [META, TIKTOK] (was \"GOOGLE\");"
                + " length(headline) <= 10 (was 27 characters);"
                + " spend >= 0 (was -0.01);"
                + " clicks <= impressions (was 5 > 3);"
                + " country matches [A-Z]{2} (was \"deu\");"
                + " raw_date is a date (was \"03/01/2026\");"
                + " end_date >= start_date (was 2026-03-01 < 2026-03-02)",
            "failed rules: clicks <= 1000 (was 1001)");
    PAssert.that(result.get(Validate.INVALID))
        .satisfies(
            letters -> {
              for (DeadLetter letter : letters) {
                assertThat(letter.stage(), is("validate_ads"));
                assertThat(letter.source(), is("ads.csv"));
                assertThat(letter.record(), containsString("\"headline\":"));
              }
              return null;
            });
    p.run();
  }
}
