package io.analyticsetl.pipelines.appstore;

import static io.analyticsetl.common.schema.ColumnType.BIGINT;
import static io.analyticsetl.common.schema.ColumnType.DATE;
import static io.analyticsetl.common.schema.ColumnType.DOUBLE;
import static io.analyticsetl.common.schema.ColumnType.INT;
import static io.analyticsetl.common.schema.ColumnType.STRING;
import static io.analyticsetl.common.schema.ColumnType.TIMESTAMP;

import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.schema.WriteMode;
import java.util.List;

/**
 * The curated App Store Connect datasets (contract section 5), in the {@code curated} zone,
 * partitioned {@code dt=<metric_date>/app_id=<id>}. A run replaces each partition it writes with the
 * rows of the latest processing date for that day (Apple's restatement rule).
 */
public final class AppstoreDatasets {

  public static final String DOMAIN = "appstore";
  public static final String ZONE = "curated";

  private static Dataset.Builder report(String name, String description) {
    return Dataset.builder(DOMAIN, name)
        .zone(ZONE)
        .description(description)
        .column("metric_date", DATE, "The day the figures are for (Apple's Date column).")
        .column("app_name", STRING, "App name.")
        .column("app_id", BIGINT, "App Apple Identifier.")
        .column("processing_date", DATE, "Processing date of the report instance the row comes from.");
  }

  private static Dataset finish(Dataset.Builder builder) {
    return builder
        .partitionedBy("dt", "metric_date")
        .partitionedBy("app_id", "app_id")
        .writeMode(WriteMode.REPLACE_PARTITIONS)
        .build();
  }

  public static final Dataset DOWNLOADS =
      finish(
          report("downloads", "App Downloads Standard.")
              .nullableColumn("download_type", STRING, "First-time download, Redownload, ...")
              .nullableColumn("app_version", STRING, "")
              .nullableColumn("device", STRING, "")
              .nullableColumn("platform_version", STRING, "")
              .nullableColumn("source_type", STRING, "")
              .nullableColumn("page_type", STRING, "")
              .nullableColumn("pre_order", STRING, "")
              .nullableColumn("territory", STRING, "Two-letter territory.")
              .column("total_downloads", BIGINT, "Counts."));

  public static final Dataset ENGAGEMENT =
      finish(
          report("engagement", "App Store Discovery and Engagement Standard.")
              .nullableColumn("event", STRING, "Impression, Page view or Tap.")
              .nullableColumn("page_type", STRING, "")
              .nullableColumn("source_type", STRING, "")
              .nullableColumn("engagement_type", STRING, "")
              .nullableColumn("device", STRING, "")
              .nullableColumn("platform_version", STRING, "")
              .nullableColumn("territory", STRING, "")
              .column("counts", BIGINT, "Counts.")
              .nullableColumn("unique_counts", BIGINT, "Unique Counts (not additive across rows).")
              .column("impressions", BIGINT, "counts where event is Impression, else 0.")
              .column("page_views", BIGINT, "counts where event is Page view, else 0.")
              .column("taps", BIGINT, "counts where event is Tap, else 0."));

  public static final Dataset SESSIONS =
      finish(
          report("sessions", "App Sessions Standard.")
              .nullableColumn("app_version", STRING, "")
              .nullableColumn("device", STRING, "")
              .nullableColumn("platform_version", STRING, "")
              .nullableColumn("source_type", STRING, "")
              .nullableColumn("page_type", STRING, "")
              .nullableColumn("app_download_date", DATE, "Set when the download was within the previous 30 days.")
              .nullableColumn("territory", STRING, "")
              .column("sessions", BIGINT, "Sessions.")
              .nullableColumn("total_session_duration_s", BIGINT, "Total Session Duration, seconds.")
              .nullableColumn("unique_devices", BIGINT, "Unique Devices."));

  public static final Dataset INSTALLS =
      finish(
          report("installs", "App Store Installation and Deletion Standard.")
              .nullableColumn("event", STRING, "Install or Delete.")
              .nullableColumn("download_type", STRING, "")
              .nullableColumn("app_version", STRING, "")
              .nullableColumn("device", STRING, "")
              .nullableColumn("platform_version", STRING, "")
              .nullableColumn("source_type", STRING, "")
              .nullableColumn("page_type", STRING, "")
              .nullableColumn("app_download_date", DATE, "")
              .nullableColumn("territory", STRING, "")
              .column("counts", BIGINT, "Counts.")
              .nullableColumn("unique_devices", BIGINT, "Unique Devices.")
              .column("installs", BIGINT, "counts where event is Install, else 0.")
              .column("deletions", BIGINT, "counts where event is Delete, else 0."));

  public static final Dataset PURCHASES =
      finish(
          report("purchases", "App Store Purchases Standard.")
              .nullableColumn("purchase_type", STRING, "")
              .nullableColumn("content_name", STRING, "")
              .nullableColumn("content_apple_id", STRING, "")
              .nullableColumn("payment_method", STRING, "")
              .nullableColumn("device", STRING, "")
              .nullableColumn("platform_version", STRING, "")
              .nullableColumn("source_type", STRING, "")
              .nullableColumn("page_type", STRING, "")
              .nullableColumn("app_download_date", DATE, "")
              .nullableColumn("pre_order", STRING, "")
              .nullableColumn("territory", STRING, "")
              .column("purchases", BIGINT, "Purchases (refunds negative).")
              .nullableColumn("proceeds_usd", DOUBLE, "Proceeds in USD.")
              .nullableColumn("sales_usd", DOUBLE, "Sales in USD.")
              .nullableColumn("paying_users", BIGINT, "Paying Users."));

  public static final Dataset PERFORMANCE =
      finish(
          report("performance", "App Crashes.")
              .nullableColumn("app_version", STRING, "")
              .nullableColumn("device", STRING, "")
              .nullableColumn("platform_version", STRING, "")
              .column("crashes", BIGINT, "Crashes.")
              .nullableColumn("unique_devices", BIGINT, "Unique Devices."));

  public static final Dataset REVIEWS =
      Dataset.builder(DOMAIN, "reviews")
          .zone(ZONE)
          .description("Customer reviews, partitioned by the UTC day they were written.")
          .column("metric_date", DATE, "UTC date of created_at.")
          .column("app_name", STRING, "App name.")
          .column("app_id", BIGINT, "App Apple Identifier.")
          .column("processing_date", DATE, "The day the review was fetched.")
          .column("review_id", STRING, "Review id.")
          .column("rating", INT, "1 to 5.")
          .nullableColumn("title", STRING, "")
          .nullableColumn("body", STRING, "")
          .nullableColumn("reviewer_nickname", STRING, "")
          .column("created_at", TIMESTAMP, "When the review was written (UTC).")
          .nullableColumn("territory", STRING, "Three-letter territory.")
          .nullableColumn("response_body", STRING, "The developer's response, if any.")
          .nullableColumn("response_state", STRING, "PUBLISHED or PENDING_PUBLISH.")
          .naturalKey("review_id")
          .partitionedBy("dt", "metric_date")
          .partitionedBy("app_id", "app_id")
          .writeMode(WriteMode.UPSERT)
          .build();

  public static final List<Dataset> REPORT_DATASETS =
      List.of(DOWNLOADS, ENGAGEMENT, SESSIONS, INSTALLS, PURCHASES, PERFORMANCE);

  private AppstoreDatasets() {}
}
