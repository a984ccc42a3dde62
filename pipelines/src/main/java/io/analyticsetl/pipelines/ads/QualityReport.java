package io.analyticsetl.pipelines.ads;

import static io.analyticsetl.pipelines.ads.AdsDatasets.AD_QUALITY_REPORT;

import io.analyticsetl.common.io.Locations;
import io.analyticsetl.common.ledger.RunSignals;
import io.analyticsetl.common.values.DayRange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;

/**
 * ad_quality_report, per run and platform: completeness (null rate per field), validity (rows
 * refused by the rules), consistency (clicks above impressions, days outside the window asked
 * for), uniqueness (duplicate natural keys before deduplication), timeliness (newest day against
 * the platform's expected lag) and accuracy (implausible values).
 */
final class QualityReport {

  static final List<String> COMPLETENESS_FIELDS =
      List.of("ad_name", "campaign_id", "ad_group_id", "account_timezone", "headline", "landing_page_url");
  /** Measured but not judged: Google search ads have no names, legitimately. */
  static final List<String> INFORMATIONAL_FIELDS = List.of("ad_name");
  /** Judged only when an internal creatives export is read: nothing else fills them. */
  static final List<String> CREATIVE_FIELDS = List.of("headline", "landing_page_url");
  static final double NULL_RATE_LIMIT = 0.2;
  static final double INVALID_RATE_LIMIT = 0.01;
  static final double IMPLAUSIBLE_RATE_LIMIT = 0.01;

  private QualityReport() {}

  /** The checks of one platform, from its extracted rows, its final rows and its refused rows. */
  static final class Check extends DoFn<KV<String, CoGbkResult>, Row> {
    private final TupleTag<Row> extractedTag;
    private final TupleTag<Row> finalTag;
    private final TupleTag<Long> invalidTag;
    private final LocalDate runDate;
    private final String runId;
    private final Map<String, DayRange> windows;
    private final boolean creativesRead;

    Check(TupleTag<Row> extractedTag, TupleTag<Row> finalTag, TupleTag<Long> invalidTag, LocalDate runDate, String runId,
        Map<String, DayRange> windows, boolean creativesRead) {
      this.extractedTag = extractedTag;
      this.finalTag = finalTag;
      this.invalidTag = invalidTag;
      this.runDate = runDate;
      this.runId = runId;
      this.windows = new java.util.HashMap<>(windows);
      this.creativesRead = creativesRead;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> platform, OutputReceiver<Row> out) {
      DayRange window = windows.get(platform.getKey());
      if (window == null) {
        return; // rows refused before their platform was known
      }
      long extracted = 0;
      long clicksAbove = 0;
      long outside = 0;
      long implausible = 0;
      LocalDate newest = null;
      Set<List<Object>> keys = new HashSet<>();
      for (Row row : platform.getValue().getAll(extractedTag)) {
        extracted++;
        LocalDate day = row.getLogicalTypeValue("date", LocalDate.class);
        keys.add(List.of(String.valueOf(row.getString("account_id")), String.valueOf(row.getString("ad_id")), String.valueOf(day)));
        Long impressions = row.getInt64("impressions");
        Long clicks = row.getInt64("clicks");
        if (impressions != null && clicks != null && clicks > impressions) {
          clicksAbove++;
        }
        if (day != null && !window.contains(day)) {
          outside++;
        }
        if (day != null && (newest == null || day.isAfter(newest))) {
          newest = day;
        }
        var spend = row.getDecimal("spend");
        boolean implausibleRow =
            (spend != null && (spend.signum() < 0 || spend.compareTo(java.math.BigDecimal.valueOf(10_000_000)) > 0))
                || (impressions != null && clicks != null && impressions > 0 && clicks > impressions / 2);
        implausible += implausibleRow ? 1 : 0;
      }
      long invalid = 0;
      for (Long count : platform.getValue().getAll(invalidTag)) {
        invalid += count;
      }
      Map<String, Long> nulls = new TreeMap<>();
      long finalRows = 0;
      for (Row row : platform.getValue().getAll(finalTag)) {
        finalRows++;
        for (String field : COMPLETENESS_FIELDS) {
          nulls.merge(field, row.getValue(field) == null ? 1L : 0L, Long::sum);
        }
      }
      String name = platform.getKey();
      for (String field : COMPLETENESS_FIELDS) {
        double rate = finalRows == 0 ? 0 : (double) nulls.getOrDefault(field, 0L) / finalRows;
        boolean judged = !INFORMATIONAL_FIELDS.contains(field) && (creativesRead || !CREATIVE_FIELDS.contains(field));
        out.output(row(name, "completeness", "null_rate:" + field, rate, judged ? NULL_RATE_LIMIT : null,
            !judged || rate <= NULL_RATE_LIMIT, nulls.getOrDefault(field, 0L) + " of " + finalRows + " rows"));
      }
      double invalidRate = extracted == 0 ? 0 : (double) invalid / extracted;
      out.output(row(name, "validity", "rule_failure_rate", invalidRate, INVALID_RATE_LIMIT, invalidRate <= INVALID_RATE_LIMIT,
          invalid + " of " + extracted + " rows refused by the validation rules"));
      out.output(row(name, "consistency", "clicks_above_impressions", clicksAbove, 0.0, clicksAbove == 0, clicksAbove + " rows"));
      out.output(row(name, "consistency", "days_outside_window", outside, 0.0, outside == 0, "window " + window));
      long duplicates = extracted - keys.size();
      out.output(row(name, "uniqueness", "duplicate_natural_keys", duplicates, 0.0, duplicates == 0,
          duplicates + " rows repeat a (account, ad, day) seen before deduplication"));
      long behind = newest == null ? -1 : ChronoUnit.DAYS.between(newest, runDate.minusDays(1));
      // Rows refused for an unknown platform are grouped under its name; they are judged like the rest.
      int expectedLag = Arrays.stream(Platform.values()).filter(p -> p.name().equals(name)).findFirst()
          .map(Platform::expectedLagDays).orElse(1);
      boolean timely = newest != null && behind <= expectedLag;
      out.output(row(name, "timeliness", "days_behind_yesterday", behind, (double) expectedLag, timely,
          newest == null ? "no rows" : "newest day " + newest));
      double implausibleRate = extracted == 0 ? 0 : (double) implausible / extracted;
      out.output(row(name, "accuracy", "implausible_rate", implausibleRate, IMPLAUSIBLE_RATE_LIMIT, implausibleRate <= IMPLAUSIBLE_RATE_LIMIT,
          implausible + " rows with negative or huge spend or a CTR above 50%"));
    }

    private Row row(String platform, String dimension, String metric, double value, Double threshold, boolean passed, String detail) {
      return Row.withSchema(AD_QUALITY_REPORT.beamSchema())
          .addValues(runDate, runId, platform, dimension, metric, value, threshold, passed, detail)
          .build();
    }
  }

  /** The readable page of a run's report: one table per platform, failures first. */
  static final class WritePage extends DoFn<Iterable<Row>, Void> {
    private final String outputRoot;
    private final LocalDate runDate;
    private final boolean failRunOnFailedChecks;

    WritePage(String outputRoot, LocalDate runDate, boolean failRunOnFailedChecks) {
      this.outputRoot = outputRoot;
      this.runDate = runDate;
      this.failRunOnFailedChecks = failRunOnFailedChecks;
    }

    @ProcessElement
    public void process(@Element Iterable<Row> rows) throws IOException {
      Map<String, List<Row>> byPlatform = new TreeMap<>();
      rows.forEach(r -> byPlatform.computeIfAbsent(r.getString("platform"), p -> new ArrayList<>()).add(r));
      StringBuilder html = new StringBuilder();
      html.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Ad data quality ").append(runDate)
          .append("</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}")
          .append("td,th{border:1px solid #ccc;padding:4px 8px}.fail{background:#fdd}.pass{background:#dfd}</style></head><body>")
          .append("<h1>Ad data quality, ").append(runDate).append("</h1>");
      for (Map.Entry<String, List<Row>> platform : byPlatform.entrySet()) {
        List<Row> checks = new ArrayList<>(platform.getValue());
        checks.sort((a, b) -> Boolean.compare(a.getBoolean("passed"), b.getBoolean("passed")) != 0
            ? Boolean.compare(a.getBoolean("passed"), b.getBoolean("passed"))
            : (a.getString("dimension") + a.getString("metric")).compareTo(b.getString("dimension") + b.getString("metric")));
        long failed = checks.stream().filter(r -> !r.getBoolean("passed")).count();
        html.append("<h2>").append(escape(platform.getKey())).append(": ")
            .append(failed == 0 ? "all checks passed" : failed + " checks failed").append("</h2>")
            .append("<table><tr><th>dimension</th><th>metric</th><th>value</th><th>limit</th><th>result</th><th>detail</th></tr>");
        for (Row check : checks) {
          boolean passed = check.getBoolean("passed");
          html.append("<tr class=\"").append(passed ? "pass" : "fail").append("\"><td>").append(escape(check.getString("dimension")))
              .append("</td><td>").append(escape(check.getString("metric")))
              .append("</td><td>").append(String.format(Locale.ROOT, "%.4g", check.getDouble("value")))
              .append("</td><td>").append(check.getDouble("threshold") == null ? "" : String.format(Locale.ROOT, "%.4g", check.getDouble("threshold")))
              .append("</td><td>").append(passed ? "passed" : "FAILED")
              .append("</td><td>").append(escape(String.valueOf(check.getString("detail")))).append("</td></tr>");
        }
        html.append("</table>");
      }
      html.append("</body></html>\n");
      String path = Locations.join(outputRoot, "_reports", "ads-quality", runDate + ".html");
      try (WritableByteChannel channel = FileSystems.create(FileSystems.matchNewResource(path, false), "text/html")) {
        channel.write(ByteBuffer.wrap(html.toString().getBytes(StandardCharsets.UTF_8)));
      }
      // The grouped rows can be iterated once only (Flink), so the copies in byPlatform are read.
      for (Row check : byPlatform.values().stream().flatMap(List::stream).toList()) {
        if (!check.getBoolean("passed")) {
          RunSignals.note("quality check failed: " + check.getString("platform") + " " + check.getString("dimension") + " "
              + check.getString("metric"));
          if (failRunOnFailedChecks) {
            RunSignals.failRun("ad quality checks failed (see " + path + ")");
          }
        }
      }
    }

    private static String escape(String text) {
      return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
  }
}
