package io.analyticsetl.pipelines.ads;

import static io.analyticsetl.common.schema.ColumnType.BIGINT;
import static io.analyticsetl.common.schema.ColumnType.BOOLEAN;
import static io.analyticsetl.common.schema.ColumnType.DATE;
import static io.analyticsetl.common.schema.ColumnType.DOUBLE;
import static io.analyticsetl.common.schema.ColumnType.INT;
import static io.analyticsetl.common.schema.ColumnType.STRING;
import static io.analyticsetl.common.schema.ColumnType.TIMESTAMP;

import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.schema.WriteMode;

/**
 * The ads datasets (contract section 8, reference section 6). Money and ratios are decimals in the
 * account currency (no FX); days are the account's own days (no UTC shift); rows are upserted on
 * their natural key so that the lookback's restated figures converge.
 */
public final class AdsDatasets {

  public static final String DOMAIN = "ads";
  static final int MONEY_PRECISION = 20;
  static final int MONEY_SCALE = 6;
  static final int RATIO_PRECISION = 28;
  static final int RATIO_SCALE = 10;

  private static Dataset.Builder ratios(Dataset.Builder builder, String suffix) {
    return builder
        .decimalColumn("ctr" + suffix, RATIO_PRECISION, RATIO_SCALE, true, "clicks / impressions (a fraction), NULL on 0.")
        .decimalColumn("cpc" + suffix, RATIO_PRECISION, RATIO_SCALE, true, "spend / clicks.")
        .decimalColumn("cpm" + suffix, RATIO_PRECISION, RATIO_SCALE, true, "spend x 1000 / impressions.")
        .decimalColumn("cvr" + suffix, RATIO_PRECISION, RATIO_SCALE, true, "conversions / clicks.")
        .decimalColumn("cpa" + suffix, RATIO_PRECISION, RATIO_SCALE, true, "spend / conversions.")
        .decimalColumn("roas" + suffix, RATIO_PRECISION, RATIO_SCALE, true, "conversion_value / spend.")
        .decimalColumn("acos" + suffix, RATIO_PRECISION, RATIO_SCALE, true, "spend / conversion_value.");
  }

  public static final Dataset AD_PERFORMANCE_DAILY =
      ratios(
              Dataset.builder(DOMAIN, "ad_performance_daily")
                  .description("One row per platform, account, ad and account-local day.")
                  .column("platform", STRING, "META, GOOGLE_ADS, TIKTOK or AMAZON_ADS.")
                  .column("account_id", STRING, "Ad account, customer, advertiser or profile id.")
                  .column("date", DATE, "The account's local day.")
                  .column("ad_id", STRING, "Ad id (Amazon: the advertised ASIN when there is no ad id).")
                  .nullableColumn("ad_name", STRING, "")
                  .nullableColumn("ad_group_id", STRING, "Ad set / ad group.")
                  .nullableColumn("ad_group_name", STRING, "")
                  .nullableColumn("campaign_id", STRING, "")
                  .nullableColumn("campaign_name", STRING, "")
                  .column("ad_status", STRING, "ACTIVE, PAUSED, REMOVED, OTHER or UNKNOWN.")
                  .nullableColumn("ad_status_raw", STRING, "The platform's own status.")
                  .nullableColumn("campaign_status_raw", STRING, "The campaign's status in the platform's words.")
                  .column("account_currency", STRING, "ISO 4217 currency of spend and values (no FX).")
                  .nullableColumn("account_timezone", STRING, "IANA time zone of the account's days.")
                  .column("impressions", BIGINT, "")
                  .column("clicks", BIGINT, "")
                  .decimalColumn("spend", MONEY_PRECISION, MONEY_SCALE, false, "Spend in the account currency.")
                  .column("spend_micros", BIGINT, "Spend x 1,000,000.")
                  .decimalColumn("conversions", MONEY_PRECISION, MONEY_SCALE, false, "Conversions (may be fractional).")
                  .decimalColumn("conversion_value", MONEY_PRECISION, MONEY_SCALE, false, "Conversion value in the account currency.")
                  .nullableColumn("attribution_spec", STRING, "The attribution the platform used.")
                  .nullableColumn("headline", STRING, "From the internal creatives export.")
                  .nullableColumn("description", STRING, "")
                  .nullableColumn("call_to_action", STRING, "")
                  .nullableColumn("image_url", STRING, "")
                  .nullableColumn("video_url", STRING, "")
                  .nullableColumn("landing_page_url", STRING, "")
                  .nullableColumn("start_date", DATE, "Creative flight start.")
                  .nullableColumn("end_date", DATE, "Creative flight end.")
                  .nullableColumn("source_version", STRING, "API version the row came from.")
                  .nullableColumn("request_id", STRING, "The platform's request or report id.")
                  .column("extracted_at", TIMESTAMP, "When the row was extracted; the newest wins."),
              "")
          .naturalKey("platform", "account_id", "ad_id", "date")
          .partitionedBy("dt", "date")
          .writeMode(WriteMode.UPSERT)
          .versionColumn("extracted_at")
          .build();

  public static final Dataset ACCOUNT_DAILY =
      Dataset.builder(DOMAIN, "account_daily")
          .description("Ad performance summed per platform, account and day; ratios re-derived from the sums.")
          .column("platform", STRING, "")
          .column("account_id", STRING, "")
          .column("date", DATE, "")
          .column("account_currency", STRING, "")
          .decimalColumn("spend", MONEY_PRECISION, MONEY_SCALE, false, "")
          .column("impressions", BIGINT, "")
          .column("clicks", BIGINT, "")
          .decimalColumn("conversions", MONEY_PRECISION, MONEY_SCALE, false, "")
          .decimalColumn("conversion_value", MONEY_PRECISION, MONEY_SCALE, false, "")
          .decimalColumn("roas", RATIO_PRECISION, RATIO_SCALE, true, "Sum of conversion value / sum of spend.")
          .column("campaign_count", BIGINT, "Campaigns with an ad with impressions > 0.")
          .column("ad_count", BIGINT, "Ads with impressions > 0.")
          .naturalKey("platform", "account_id", "date")
          .partitionedBy("dt", "date")
          .writeMode(WriteMode.UPSERT)
          .build();

  private static Dataset.Builder rolling(Dataset.Builder builder, int days) {
    String s = "_" + days + "d";
    return builder
        .column("impressions" + s, BIGINT, days + "-day sum, days without delivery counting as zero.")
        .column("clicks" + s, BIGINT, "")
        .decimalColumn("spend" + s, MONEY_PRECISION, MONEY_SCALE, false, "")
        .decimalColumn("conversions" + s, MONEY_PRECISION, MONEY_SCALE, false, "")
        .decimalColumn("conversion_value" + s, MONEY_PRECISION, MONEY_SCALE, false, "")
        .decimalColumn("ctr" + s, RATIO_PRECISION, RATIO_SCALE, true, "")
        .decimalColumn("cpc" + s, RATIO_PRECISION, RATIO_SCALE, true, "")
        .decimalColumn("cpm" + s, RATIO_PRECISION, RATIO_SCALE, true, "")
        .decimalColumn("cvr" + s, RATIO_PRECISION, RATIO_SCALE, true, "")
        .decimalColumn("cpa" + s, RATIO_PRECISION, RATIO_SCALE, true, "")
        .decimalColumn("roas" + s, RATIO_PRECISION, RATIO_SCALE, true, "")
        .decimalColumn("acos" + s, RATIO_PRECISION, RATIO_SCALE, true, "");
  }

  private static Dataset.Builder features(String name, String description) {
    return rolling(
            rolling(
                Dataset.builder(DOMAIN, name)
                    .description(description)
                    .column("platform", STRING, "")
                    .column("account_id", STRING, "")
                    .column("ad_id", STRING, "")
                    .column("date", DATE, "The day the features are as of."),
                7),
            28)
        .column("headline_length", INT, "Characters of the headline (0 without one).")
        .column("headline_words", INT, "Words of the headline.")
        .column("has_call_to_action", BOOLEAN, "Whether the creative has a call to action.")
        .column("sentiment_score", DOUBLE, "Heuristic: (positive - negative lexicon words) / words of headline and description, in [-1, 1].");
  }

  public static final Dataset AD_FEATURES_DAILY =
      features("ad_features_daily", "Rolling 7- and 28-day performance and creative text features per ad and day.")
          .naturalKey("platform", "account_id", "ad_id", "date")
          .partitionedBy("dt", "date")
          .writeMode(WriteMode.UPSERT)
          .build();

  public static final Dataset AD_TRAINING_EXAMPLES =
      features("ad_training_examples", "Features as of D with the label CTR over D+1..D+7, for days whose label window is complete.")
          .column("label_impressions_next_7d", BIGINT, "Impressions over D+1..D+7.")
          .column("label_clicks_next_7d", BIGINT, "Clicks over D+1..D+7.")
          .decimalColumn("label_ctr_next_7d", RATIO_PRECISION, RATIO_SCALE, true, "The label: clicks / impressions over D+1..D+7.")
          .naturalKey("platform", "account_id", "ad_id", "date")
          .partitionedBy("dt", "date")
          .writeMode(WriteMode.UPSERT)
          .build();

  public static final Dataset AD_QUALITY_REPORT =
      Dataset.builder(DOMAIN, "ad_quality_report")
          .description("Data-quality checks per run and platform.")
          .column("report_date", DATE, "The run date.")
          .column("run_id", STRING, "")
          .column("platform", STRING, "")
          .column("dimension", STRING, "completeness, validity, consistency, uniqueness, timeliness or accuracy.")
          .column("metric", STRING, "What was measured, e.g. null_rate:headline.")
          .column("value", DOUBLE, "")
          .nullableColumn("threshold", DOUBLE, "")
          .column("passed", BOOLEAN, "")
          .nullableColumn("detail", STRING, "")
          .naturalKey("report_date", "run_id", "platform", "dimension", "metric")
          .partitionedBy("dt", "report_date")
          .writeMode(WriteMode.UPSERT)
          .build();

  private AdsDatasets() {}
}
