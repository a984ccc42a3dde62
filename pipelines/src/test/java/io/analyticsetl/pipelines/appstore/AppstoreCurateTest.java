package io.analyticsetl.pipelines.appstore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.common.ledger.RunLedger;
import io.analyticsetl.pipelines.Launch;
import io.analyticsetl.pipelines.RunOutputs;
import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.Parquet;
import io.analyticsetl.testkit.Sql;
import io.analyticsetl.testkit.appstore.AppleReportFiles;
import io.analyticsetl.testkit.appstore.AppleReportFiles.Report;
import io.analyticsetl.testkit.appstore.AppleReportFiles.Variant;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** appstore-curate over a raw zone of Apple-shaped segments with overlapping, restating instances. */
class AppstoreCurateTest {

  private static final long[] APPS = {1506886061L, 987654321L};
  private static final LocalDate FIRST_PROCESSING = LocalDate.of(2026, 3, 1);
  private static final int PROCESSING_DAYS = 10;
  private static final int ROWS_PER_DAY = 12;

  @TempDir Path root;

  private void landAll(Map<String, Variant> variants) {
    for (Report report : Report.values()) {
      for (long app : APPS) {
        for (int p = 0; p < PROCESSING_DAYS; p++) {
          LocalDate processing = FIRST_PROCESSING.plusDays(p);
          Variant variant = variants.getOrDefault(report.key + "/" + app + "/" + processing, Variant.PLAIN);
          List<LocalDate> days = AppleReportFiles.metricDays(report, processing);
          // Two segments per instance: the days split between them.
          int half = days.size() / 2;
          AppleReportFiles.writeRaw(root, report, app, processing, "inst" + p, "0",
              AppleReportFiles.segment(report, app, processing, days.subList(0, half), ROWS_PER_DAY, variant));
          AppleReportFiles.writeRaw(root, report, app, processing, "inst" + p, "1",
              AppleReportFiles.segment(report, app, processing, days.subList(half, days.size()), ROWS_PER_DAY, Variant.PLAIN));
        }
      }
    }
  }

  /** Per (app, day): the sum of the main count over the rows of the latest instance holding the day. */
  /** The newest landed processing date holding the day (Apple's restatement rule), or null. */
  private static LocalDate latestProcessing(Report report, long app, LocalDate day, Map<String, LocalDate> suppressed) {
    for (int p = PROCESSING_DAYS - 1; p >= 0; p--) {
      LocalDate processing = FIRST_PROCESSING.plusDays(p);
      boolean holds = AppleReportFiles.metricDays(report, processing).contains(day);
      boolean hidden = processing.equals(suppressed.get(report.key + "/" + app + "/" + day));
      if (holds && !hidden) {
        return processing;
      }
    }
    return null;
  }

  private static Map<String, Long> expectedTotals(Report report, LocalDate first, LocalDate last, Map<String, LocalDate> suppressed) {
    Map<String, Long> totals = new TreeMap<>();
    for (long app : APPS) {
      for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
        LocalDate latest = latestProcessing(report, app, day, suppressed);
        if (latest == null) {
          continue;
        }
        long sum = 0;
        for (int row = 0; row < ROWS_PER_DAY; row++) {
          sum += AppleReportFiles.count(app, day, row, latest);
        }
        totals.put(app + "|" + day, sum);
      }
    }
    return totals;
  }

  /** One of contract section 5's sample queries, unchanged, over a view of the curated Parquet: key columns joined by |, value. */
  private Map<String, String> sampleQuery(String dataset, String query) {
    Map<String, BigDecimal> result = new TreeMap<>();
    for (List<String> row : Parquet.query("CREATE VIEW curated_" + dataset + " AS SELECT * FROM read_parquet('" + root
        + "/appstore/curated/" + dataset + "/*/*/*.parquet'); " + query)) {
      result.put(String.join("|", row.subList(0, row.size() - 1)), new BigDecimal(row.get(row.size() - 1)));
    }
    return plain(result);
  }

  /** Values compared as numbers to 6 places (proceeds_usd is a DOUBLE by the contract, so sums carry float noise). */
  private static Map<String, String> plain(Map<String, BigDecimal> values) {
    Map<String, String> plain = new TreeMap<>();
    values.forEach((key, value) ->
        plain.put(key, value.setScale(6, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString()));
    return plain;
  }

  private Map<String, Long> curatedTotals(String dataset, String column) {
    Map<String, Long> totals = new TreeMap<>();
    for (List<String> row :
        Parquet.query(
            "SELECT app_id::text, metric_date::text, sum(" + column + ")::text FROM read_parquet('" + root
                + "/appstore/curated/" + dataset + "/*/*/*.parquet') GROUP BY 1, 2")) {
      totals.put(row.get(0) + "|" + row.get(1), Long.parseLong(row.get(2)));
    }
    return totals;
  }

  private String[] args(String... more) {
    return Stream.concat(
            Stream.of("appstore-curate", "--outputRoot=" + root, "--runDate=2026-03-12", "--startDate=2026-02-20",
                "--endDate=2026-03-10"),
            Stream.of(more))
        .toArray(String[]::new);
  }

  @Test
  void keepsOnlyTheLatestProcessingDatePerMetricDay() throws Exception {
    landAll(Map.of());
    Launch run = Launch.of(args());
    assertThat(run.err(), run.exitCode(), is(0));

    LocalDate first = LocalDate.of(2026, 2, 20);
    LocalDate last = LocalDate.of(2026, 3, 10);
    Map<String, String> mainCount =
        Map.of("downloads", "total_downloads", "engagement", "counts", "sessions", "sessions",
            "installs", "counts", "purchases", "purchases", "performance", "crashes");
    for (Report report : Report.values()) {
      if (report == Report.PURCHASES || report == Report.PERFORMANCE) {
        continue; // their counts are taken modulo, see below
      }
      Map<String, Long> expected = expectedTotals(report, first, last, Map.of());
      assertThat(report.key, curatedTotals(report.key, mainCount.get(report.key)), equalTo(expected));
    }
    // One row per Apple row of the winning instance (no duplicates across instances) ...
    Map<String, Long> expectedDownloads = expectedTotals(Report.DOWNLOADS, first, last, Map.of());
    long rows =
        Long.parseLong(
            Parquet.query("SELECT count(*) FROM read_parquet('" + root + "/appstore/curated/downloads/*/*/*.parquet')")
                .get(0).get(0));
    assertThat(rows, is((long) ROWS_PER_DAY * expectedDownloads.size()));
    // ... while summing every instance that holds a day would give other numbers.
    long naive = 0;
    for (long app : APPS) {
      for (int p = 0; p < PROCESSING_DAYS; p++) {
        LocalDate processing = FIRST_PROCESSING.plusDays(p);
        for (LocalDate day : AppleReportFiles.metricDays(Report.DOWNLOADS, processing)) {
          for (int row = 0; row < ROWS_PER_DAY; row++) {
            naive += AppleReportFiles.count(app, day, row, processing);
          }
        }
      }
    }
    long curated = expectedDownloads.values().stream().mapToLong(Long::longValue).sum();
    assertThat(naive > curated * 2, is(true));

    // Derived counts: impressions, page views and taps add up to counts.
    assertThat(
        Parquet.query(
            "SELECT count(*) FROM read_parquet('" + root + "/appstore/curated/engagement/*/*/*.parquet')"
                + " WHERE impressions + page_views + taps <> counts OR (event = 'Impression' AND impressions <> counts)"),
        equalTo(List.of(List.of("0"))));
    // The seeds' sample queries run unchanged and give what the latest processing dates imply.
    Map<String, BigDecimal> downloadsByAppDay = new TreeMap<>();
    Map<String, BigDecimal> proceedsByTerritory = new TreeMap<>();
    Map<String, BigDecimal> impressionsByApp = new TreeMap<>();
    for (long app : APPS) {
      for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
        for (int row = 0; row < ROWS_PER_DAY; row++) {
          LocalDate downloads = latestProcessing(Report.DOWNLOADS, app, day, Map.of());
          if (downloads != null) {
            Map<String, String> v = AppleReportFiles.values(Report.DOWNLOADS, app, day, row, downloads);
            downloadsByAppDay.merge(v.get("App Name") + "|" + day, new BigDecimal(v.get("Counts")), BigDecimal::add);
          }
          LocalDate purchases = latestProcessing(Report.PURCHASES, app, day, Map.of());
          if (purchases != null) {
            Map<String, String> v = AppleReportFiles.values(Report.PURCHASES, app, day, row, purchases);
            proceedsByTerritory.merge(v.get("Territory"), new BigDecimal(v.get("Proceeds in USD")), BigDecimal::add);
          }
          LocalDate engagement = latestProcessing(Report.ENGAGEMENT, app, day, Map.of());
          if (engagement != null) {
            Map<String, String> v = AppleReportFiles.values(Report.ENGAGEMENT, app, day, row, engagement);
            BigDecimal impressions = v.get("Event").equals("Impression") ? new BigDecimal(v.get("Counts")) : BigDecimal.ZERO;
            impressionsByApp.merge(v.get("App Name"), impressions, BigDecimal::add);
          }
        }
      }
    }
    assertThat(sampleQuery("downloads", "SELECT app_name, metric_date, SUM(total_downloads) FROM curated_downloads GROUP BY 1,2"),
        equalTo(plain(downloadsByAppDay)));
    assertThat(sampleQuery("purchases", "SELECT territory, SUM(proceeds_usd) FROM curated_purchases GROUP BY 1"),
        equalTo(plain(proceedsByTerritory)));
    assertThat(sampleQuery("engagement", "SELECT app_name, SUM(impressions) FROM curated_engagement GROUP BY 1"),
        equalTo(plain(impressionsByApp)));

    // Partitions dt=<metric_date>/app_id=<id>, one file each; a rerun replaces them and changes nothing,
    // and deletes what a run interrupted while writing one left behind.
    assertThat(Files.isDirectory(root.resolve("appstore/curated/downloads/dt=2026-03-05/app_id=1506886061")), is(true));
    Path partition = root.resolve("appstore/curated/sessions/dt=2026-03-05/app_id=1506886061");
    Path leftover = Files.writeString(partition.resolve("_part-interrupted-00000-of-00001.parquet.inprogress"), "half written");
    Path olderLeftover = Files.writeString(partition.resolve("part-older-00000-of-00001.parquet.inprogress"), "half written");
    Map<String, Long> before = curatedTotals("sessions", "sessions");
    assertThat(Launch.of(args()).exitCode(), is(0));
    assertThat(curatedTotals("sessions", "sessions"), equalTo(before));
    try (Stream<Path> files = Files.list(partition)) {
      assertThat(files.map(f -> f.getFileName().toString()).toList(), contains(matchesPattern("part-.*-00000-of-00001\\.parquet")));
    }
    assertThat(Files.exists(leftover), is(false));
    assertThat(Files.exists(olderLeftover), is(false));
    JsonNode ledger = RunOutputs.ledgers(root, "appstore-curate").get(0);
    assertThat(ledger.get("stages").get("read_raw_downloads").get("filtered").has(CurateReports.SUPERSEDED), is(true));
  }

  @Test
  void toleratesWhatAppleDoesAndDeadLettersWhatItShouldNot() throws Exception {
    LocalDate late = FIRST_PROCESSING.plusDays(PROCESSING_DAYS - 1);
    long app = APPS[0];
    landAll(
        Map.of(
            "engagement/" + app + "/" + late, new Variant(true, false, false, false, false),
            "engagement/" + APPS[1] + "/" + late, Variant.COMMAS,
            "downloads/" + app + "/" + late, new Variant(false, true, true, true, false),
            "sessions/" + app + "/" + late, new Variant(false, false, false, true, true)));
    // A corrupted segment (cut short) and a row whose count is not a number.
    Path corrupt = root.resolve("appstore/raw/installs/dt=" + late + "/app_id=" + app + "/inst9-0.tsv.gz");
    byte[] whole = Files.readAllBytes(corrupt);
    Files.write(corrupt, java.util.Arrays.copyOf(whole, whole.length / 2));
    Path purchases = root.resolve("appstore/raw/purchases/dt=" + late + "/app_id=" + app + "/inst9-1.tsv.gz");
    String text = new String(new java.util.zip.GZIPInputStream(Files.newInputStream(purchases)).readAllBytes());
    String[] lines = text.split("\n");
    lines[1] = lines[1].replaceFirst("\t(\\d+)\t(\\d+\\.\\d+)\t", "\tmany\t$2\t");
    // Text after a closing quote: the CSV library cannot go on past it, the rest of the segment can.
    lines[2] = lines[2].replace("\tGems ", "\t\"Gems\" ");
    String notANumber = lines[1];
    String badQuote = lines[2];
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(purchases))) {
      out.write((String.join("\n", lines) + "\n").getBytes());
    }

    Launch run = Launch.of(args());
    assertThat("a corrupted segment fails the run after the rest is written", run.exitCode(), is(1));
    assertThat(run.err(), containsString("raw segments of installs could not be read"));

    LocalDate first = LocalDate.of(2026, 2, 20);
    LocalDate last = LocalDate.of(2026, 3, 10);
    // Reordered columns and an extra column, CRLF, quoted empties, commas for tabs: same figures.
    assertThat(curatedTotals("engagement", "counts"), equalTo(expectedTotals(Report.ENGAGEMENT, first, last, Map.of())));
    assertThat(Parquet.query("SELECT DISTINCT app_name FROM read_parquet('" + root + "/appstore/curated/engagement/*/app_id=" + APPS[1]
            + "/*.parquet') WHERE app_name LIKE '%,%'"),
        equalTo(List.of(List.of(AppleReportFiles.appName(APPS[1]) + ", Inc."))));
    assertThat(curatedTotals("downloads", "total_downloads"), equalTo(expectedTotals(Report.DOWNLOADS, first, last, Map.of())));
    // A header-only (privacy-suppressed) segment is not zero rows: the earlier instance's rows stay.
    Map<String, LocalDate> suppressed = new TreeMap<>();
    List<LocalDate> lateDays = AppleReportFiles.metricDays(Report.SESSIONS, late);
    for (LocalDate day : lateDays.subList(0, lateDays.size() / 2)) {
      suppressed.put("sessions/" + app + "/" + day, late);
    }
    assertThat(curatedTotals("sessions", "sessions"), equalTo(expectedTotals(Report.SESSIONS, first, last, suppressed)));

    RunLedger ledger = RunLedger.fromJson(Files.readString(RunOutputs.ledgerFiles(root, "appstore-curate").get(0)));
    assertThat(ledger.status(), is("FAILED"));
    assertThat(ledger.balanced(), is(true));
    assertThat(ledger.notes(), hasItem(containsString("schema drift in downloads: extra column \"Brand New Metric\"")));
    assertThat(ledger.notes(), hasItem(containsString("schema drift in engagement: columns reordered")));
    List<String> errors =
        RunOutputs.deadLetters(root, "appstore-curate", LocalDate.of(2026, 3, 12)).stream()
            .map(d -> d.get("source").asText() + " " + d.get("error").asText())
            .toList();
    assertThat(errors, hasItem(containsString("inst9-0.tsv.gz segment could not be read")));
    assertThat(errors, hasItem(containsString("purchases is not a bigint: \"many\"")));
    assertThat(errors, hasItem(containsString("inst9-1.tsv.gz malformed line: ")));
    List<String> records =
        RunOutputs.deadLetters(root, "appstore-curate", LocalDate.of(2026, 3, 12)).stream()
            .filter(d -> d.get("source").asText().endsWith("inst9-1.tsv.gz"))
            .map(d -> d.get("record").asText())
            .toList();
    assertThat("dead letters keep the original text", records, containsInAnyOrder(notANumber, badQuote));
    long purchaseLines = lines.length - 1;
    try (Stream<Path> segments = Files.list(purchases.getParent())) {
      for (Path segment : segments.filter(f -> !f.equals(purchases)).toList()) {
        purchaseLines += new String(new java.util.zip.GZIPInputStream(Files.newInputStream(segment)).readAllBytes()).lines().count() - 1;
      }
    }
    assertThat("every other row of the purchases instance is curated",
        Parquet.query("SELECT count(*) FROM read_parquet('" + root + "/appstore/curated/purchases/*/app_id=" + app
            + "/*.parquet') WHERE processing_date = DATE '" + late + "'"),
        equalTo(List.of(List.of(String.valueOf(purchaseLines - 2)))));
    assertThat(errors, not(hasItem(containsString("sessions"))));
  }

  @Test
  void aSinkWithoutPartitionFilesGetsTheSameRows() throws Exception {
    landAll(Map.of());
    String target = LocalPostgres.newDatabase("appstore_curate_target");
    assertThat(Launch.of(args()).exitCode(), is(0));
    for (int run = 0; run < 2; run++) {
      Launch jdbc = Launch.of(args("--sink=jdbc", "--targetJdbcUrl=" + target, "--reports=engagement,sessions"));
      assertThat(jdbc.err(), jdbc.exitCode(), is(0));
    }
    for (String[] dataset : new String[][] {{"engagement", "counts"}, {"sessions", "sessions"}}) {
      Map<String, Long> inPostgres = new TreeMap<>();
      for (List<String> row :
          Sql.query(target, "SELECT app_id::text, metric_date::text, sum(" + dataset[1] + ")::text FROM appstore.curated_"
              + dataset[0] + " GROUP BY 1, 2")) {
        inPostgres.put(row.get(0) + "|" + row.get(1), Long.parseLong(row.get(2)));
      }
      assertThat(dataset[0], inPostgres, equalTo(curatedTotals(dataset[0], dataset[1])));
      assertThat(
          Sql.query(target, "SELECT count(*) FROM appstore.curated_" + dataset[0]),
          equalTo(Parquet.query("SELECT count(*) FROM read_parquet('" + root + "/appstore/curated/" + dataset[0] + "/*/*/*.parquet')")));
    }
  }
}
