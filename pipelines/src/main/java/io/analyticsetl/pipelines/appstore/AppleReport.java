package io.analyticsetl.pipelines.appstore;

import io.analyticsetl.common.schema.Dataset;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One Apple Standard report and how it becomes a curated dataset: its exact API name and category,
 * the columns bound by header name (case-insensitive; Apple may reorder them), the columns a row
 * cannot do without, derived counts, and the days until its figures are complete.
 */
public enum AppleReport implements Serializable {
  DOWNLOADS(
      "downloads", "App Downloads Standard", "COMMERCE", AppstoreDatasets.DOWNLOADS, 2,
      headers(
          "Download Type", "download_type", "App Version", "app_version", "Device", "device",
          "Platform Version", "platform_version", "Source Type", "source_type", "Page Type", "page_type",
          "Pre-Order", "pre_order", "Territory", "territory", "Counts", "total_downloads"),
      List.of("total_downloads"), null),
  ENGAGEMENT(
      "engagement", "App Store Discovery and Engagement Standard", "APP_STORE_ENGAGEMENT", AppstoreDatasets.ENGAGEMENT, 3,
      headers(
          "Event", "event", "Page Type", "page_type", "Source Type", "source_type", "Engagement Type", "engagement_type",
          "Device", "device", "Platform Version", "platform_version", "Territory", "territory", "Counts", "counts",
          "Unique Counts", "unique_counts"),
      List.of("counts"), Map.of("Impression", "impressions", "Page view", "page_views", "Tap", "taps")),
  SESSIONS(
      "sessions", "App Sessions Standard", "APP_USAGE", AppstoreDatasets.SESSIONS, 5,
      headers(
          "App Version", "app_version", "Device", "device", "Platform Version", "platform_version",
          "Source Type", "source_type", "Page Type", "page_type", "App Download Date", "app_download_date",
          "Territory", "territory", "Sessions", "sessions", "Total Session Duration", "total_session_duration_s",
          "Unique Devices", "unique_devices"),
      List.of("sessions"), null),
  INSTALLS(
      "installs", "App Store Installation and Deletion Standard", "APP_USAGE", AppstoreDatasets.INSTALLS, 5,
      headers(
          "Event", "event", "Download Type", "download_type", "App Version", "app_version", "Device", "device",
          "Platform Version", "platform_version", "Source Type", "source_type", "Page Type", "page_type",
          "App Download Date", "app_download_date", "Territory", "territory", "Counts", "counts",
          "Unique Devices", "unique_devices"),
      List.of("counts"), Map.of("Install", "installs", "Delete", "deletions")),
  PURCHASES(
      "purchases", "App Store Purchases Standard", "COMMERCE", AppstoreDatasets.PURCHASES, 2,
      headers(
          "Purchase Type", "purchase_type", "Content Name", "content_name", "Content Apple Identifier", "content_apple_id",
          "Payment Method", "payment_method", "Device", "device", "Platform Version", "platform_version",
          "Source Type", "source_type", "Page Type", "page_type", "App Download Date", "app_download_date",
          "Pre-Order", "pre_order", "Territory", "territory", "Purchases", "purchases", "Proceeds in USD", "proceeds_usd",
          "Sales in USD", "sales_usd", "Paying Users", "paying_users"),
      List.of("purchases"), null),
  PERFORMANCE(
      "performance", "App Crashes", "APP_USAGE", AppstoreDatasets.PERFORMANCE, 5,
      headers(
          "App Version", "app_version", "Device", "device", "Platform Version", "platform_version",
          "Crashes", "crashes", "Unique Devices", "unique_devices"),
      List.of("crashes"), null);

  /** The columns every report starts with (a holder class: enum constructors cannot read the enum's statics). */
  private static final class Common {
    static final Map<String, String> HEADERS =
        headers("Date", "metric_date", "App Name", "app_name", "App Apple Identifier", "app_id");
  }

  private final String key;
  private final String reportName;
  private final String category;
  private final transient Dataset dataset;
  private final int completenessDays;
  private final Map<String, String> columnsByHeader;
  private final List<String> requiredColumns;
  private final Map<String, String> countsByEvent;

  AppleReport(
      String key, String reportName, String category, Dataset dataset, int completenessDays,
      Map<String, String> reportColumns, List<String> requiredColumns, Map<String, String> countsByEvent) {
    this.key = key;
    this.reportName = reportName;
    this.category = category;
    this.dataset = dataset;
    this.completenessDays = completenessDays;
    Map<String, String> all = new LinkedHashMap<>(Common.HEADERS);
    all.putAll(reportColumns);
    this.columnsByHeader = all;
    this.requiredColumns = List.copyOf(
        java.util.stream.Stream.concat(List.of("metric_date", "app_id").stream(), requiredColumns.stream()).toList());
    this.countsByEvent = countsByEvent == null ? Map.of() : countsByEvent;
  }

  private static Map<String, String> headers(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return map;
  }

  /** The dataset's name, used in options (--reports) and raw-zone folders. */
  public String key() {
    return key;
  }

  public String reportName() {
    return reportName;
  }

  public String category() {
    return category;
  }

  public Dataset dataset() {
    return dataset;
  }

  /** Days after a metric date until Apple's figures for it are complete. */
  public int completenessDays() {
    return completenessDays;
  }

  /** Apple's headers in the order Apple documents them. */
  public List<String> expectedHeaders() {
    return List.copyOf(columnsByHeader.keySet());
  }

  /** The dataset column an Apple header binds to, matched case-insensitively. */
  public Optional<String> columnFor(String header) {
    String wanted = header.trim().toLowerCase(Locale.ROOT);
    return columnsByHeader.entrySet().stream()
        .filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(wanted))
        .map(Map.Entry::getValue)
        .findFirst();
  }

  public List<String> requiredColumns() {
    return requiredColumns;
  }

  /** Derived count columns by Event value (engagement and installs), empty otherwise. */
  public Map<String, String> countsByEvent() {
    return countsByEvent;
  }

  public static Optional<AppleReport> byKey(String key) {
    for (AppleReport report : values()) {
      if (report.key.equals(key)) {
        return Optional.of(report);
      }
    }
    return Optional.empty();
  }
}
