package io.analyticsetl.pipelines.ads;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.values.Row;

/**
 * A platform row after its wire types have been read (every field nullable, so that validation,
 * not parsing, decides what is wrong): the base columns of ad_performance_daily.
 */
final class Extracted {

  static final Schema SCHEMA =
      Schema.builder()
          .addStringField("platform")
          .addNullableField("account_id", FieldType.STRING)
          .addNullableField("date", FieldType.logicalType(SqlTypes.DATE))
          .addNullableField("ad_id", FieldType.STRING)
          .addNullableField("ad_name", FieldType.STRING)
          .addNullableField("ad_group_id", FieldType.STRING)
          .addNullableField("ad_group_name", FieldType.STRING)
          .addNullableField("campaign_id", FieldType.STRING)
          .addNullableField("campaign_name", FieldType.STRING)
          .addNullableField("ad_status", FieldType.STRING)
          .addNullableField("ad_status_raw", FieldType.STRING)
          .addNullableField("campaign_status_raw", FieldType.STRING)
          .addNullableField("account_currency", FieldType.STRING)
          .addNullableField("account_timezone", FieldType.STRING)
          .addNullableField("impressions", FieldType.INT64)
          .addNullableField("clicks", FieldType.INT64)
          .addNullableField("spend", FieldType.DECIMAL)
          .addNullableField("conversions", FieldType.DECIMAL)
          .addNullableField("conversion_value", FieldType.DECIMAL)
          .addNullableField("attribution_spec", FieldType.STRING)
          .addNullableField("source_version", FieldType.STRING)
          .addNullableField("request_id", FieldType.STRING)
          .addField("extracted_at", FieldType.logicalType(SqlTypes.TIMESTAMP))
          .build();

  private Extracted() {}

  /** Builds an extracted row; ids and names as text, metrics as read by {@link Wire}. */
  static final class Builder {
    private static final Pattern DAY = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})([ T].*)?");
    private final Object[] values = new Object[SCHEMA.getFieldCount()];

    Builder(Platform platform, Instant extractedAt) {
      set("platform", platform.name());
      set("extracted_at", extractedAt);
      set("ad_status", "UNKNOWN");
    }

    Builder set(String field, Object value) {
      values[SCHEMA.indexOf(field)] = value;
      return this;
    }

    /** The platform's own status and its normalised form (UNKNOWN when the platform gave none). */
    Builder status(String raw, java.util.function.UnaryOperator<String> normalise) {
      return set("ad_status_raw", raw).set("ad_status", raw == null ? "UNKNOWN" : normalise.apply(raw));
    }

    /** The row's day from the platform's text: {@code yyyy-MM-dd}, or that followed by a time of day. */
    Builder date(String text) {
      if (text == null) {
        return set("date", null);
      }
      Matcher day = DAY.matcher(text);
      if (!day.matches()) {
        throw new IllegalArgumentException("date \"" + text + "\" is not a yyyy-MM-dd day");
      }
      try {
        return set("date", LocalDate.parse(day.group(1)));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("date \"" + text + "\" is not a calendar day");
      }
    }

    Builder metrics(Long impressions, Long clicks, BigDecimal spend, BigDecimal conversions, BigDecimal value) {
      return set("impressions", impressions).set("clicks", clicks).set("spend", spend)
          .set("conversions", conversions).set("conversion_value", value);
    }

    Row build() {
      return Row.withSchema(SCHEMA).addValues(values).build();
    }
  }
}
