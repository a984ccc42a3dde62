package io.analyticsetl.pipelines.appstore;

import io.analyticsetl.common.options.OptionValues;
import io.analyticsetl.common.io.Locations;
import io.analyticsetl.common.json.Json;
import io.analyticsetl.common.ledger.RunSignals;
import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.run.EtlPipeline;
import io.analyticsetl.common.run.RunContext;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.values.DayRange;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code appstore-verify}: freshness per app and dataset (newest day within the dataset's
 * completeness lag plus 26 hours of the run date), day-over-day row counts inside a band, no day
 * without rows between days with rows (in the datasets every live app has daily rows for), and raw
 * headers against Apple's expected columns. Writes a JSON report and a readable HTML page with a
 * chart of rows per day per dataset; a failed check ends the run with exit 2.
 */
public final class AppstoreVerifyPipeline implements EtlPipeline<AppstoreVerifyPipeline.Options> {

  /** Options of appstore-verify. */
  public interface Options extends AppstoreOptions {
    @Description("Allowed day-over-day change of a dataset's row count per app, as a fraction (0.5 = ±50%).")
    @Default.Double(0.5)
    double getRowCountBand();

    void setRowCountBand(double value);

    @Description("Datasets in which a day of the checked range without rows, between days with rows, fails"
        + " verification: the ones every live app has rows in each day (a quiet app may sell nothing or crash"
        + " nowhere on a day, so purchases and performance are not checked by default).")
    @Default.String("downloads,engagement,sessions,installs")
    String getGapChecks();

    void setGapChecks(String value);
  }

  /** Why verify's stages pass on none of the curated rows they read (the ledger's filter reason). */
  static final String COUNTED = "counted for the checks";

  /** How far back verify reads curated rows for freshness, at least: an app staler than this drops out. */
  static final int FRESHNESS_HORIZON_DAYS = 90;

  /** Completeness lag in days (contract section 5); purchases follow downloads (both COMMERCE). */
  static final Map<String, Integer> LAG_DAYS =
      Map.of("downloads", 2, "engagement", 3, "sessions", 5, "installs", 5, "performance", 5, "purchases", 2, "reviews", 1);

  /** Something verify knows: rows of a day, or a header finding. */
  record Fact(String dataset, long appId, LocalDate day, long rows, String headerFinding) implements Serializable {}

  private static final Fact NOTHING = new Fact("", 0, null, 0, null);

  @Override
  public String name() {
    return "appstore-verify";
  }

  @Override
  public String domain() {
    return AppstoreDatasets.DOMAIN;
  }

  @Override
  public String summary() {
    return "Freshness, row-count and schema checks over curated App Store data; a report, and exit 2 when a check fails.";
  }

  @Override
  public Class<Options> optionsClass() {
    return Options.class;
  }

  @Override
  public List<Dataset> datasets() {
    return List.of();
  }

  @Override
  public void validate(Options options) {
    AppstoreCuratePipeline.reports(options);
    AppstoreCuratePipeline.days(options, OptionValues.runDate(options));
    gapChecks(options);
  }

  /** The datasets --gapChecks names. */
  static Set<String> gapChecks(Options options) {
    Set<String> datasets = new TreeSet<>();
    for (String key : options.getGapChecks().split(",")) {
      if (key.isBlank()) {
        continue;
      }
      String trimmed = key.trim();
      if (AppleReport.byKey(trimmed).isEmpty()) {
        throw new InvalidOptionException(
            "gapChecks", "unknown dataset \"" + trimmed + "\"; one of downloads, engagement, sessions, installs, purchases, performance");
      }
      datasets.add(trimmed);
    }
    return datasets;
  }

  @Override
  public void build(Pipeline pipeline, Options options, RunContext run) {
    DayRange days = AppstoreCuratePipeline.days(options, run.runDate());
    String rawRoot = options.getRawRoot() == null ? run.outputRoot() : Locations.normalizeRoot(options.getRawRoot());
    Set<Long> apps = AppstoreCuratePipeline.apps(options);
    List<String> datasets = new ArrayList<>();
    AppstoreCuratePipeline.reports(options).forEach(r -> datasets.add(r.key()));
    if (AppstoreCuratePipeline.reviewsRequested(options)) {
      datasets.add("reviews");
    }

    // The day before the range (for its first day-over-day change), and far enough back for freshness.
    LocalDate horizon = run.runDate().minusDays(FRESHNESS_HORIZON_DAYS);
    LocalDate readFrom = days.first().minusDays(1).isBefore(horizon) ? days.first().minusDays(1) : horizon;
    List<PCollection<Fact>> facts = new ArrayList<>();
    for (String key : datasets) {
      Dataset dataset = key.equals("reviews") ? AppstoreDatasets.REVIEWS : AppleReport.byKey(key).orElseThrow().dataset();
      facts.add(
          run.readExisting(pipeline, dataset, readFrom)
              .apply(StageCounters.of("read_" + key).countInspected(COUNTED))
              .apply(
                  "AppDay_" + key,
                  MapElements.into(TypeDescriptors.strings())
                      .via(row -> row.getInt64("app_id") + "|" + row.getLogicalTypeValue("metric_date", LocalDate.class)))
              .apply("RowsPerDay_" + key, Count.perElement())
              .apply(
                  "Fact_" + key,
                  MapElements.into(TypeDescriptor.of(Fact.class))
                      .via(kv -> {
                        String[] parts = kv.getKey().split("\\|");
                        return new Fact(key, Long.parseLong(parts[0]), LocalDate.parse(parts[1]), kv.getValue(), null);
                      }))
              .setCoder(SerializableCoder.of(Fact.class)));
    }
    facts.add(
        pipeline
            .apply("Reports", Create.of(AppstoreCuratePipeline.reports(options).stream().map(AppleReport::key).toList()).withCoder(StringUtf8Coder.of()))
            .apply("RawHeaders", ParDo.of(new RawHeaders(rawRoot, days.first(), days.last().plusDays(AppstoreExtractPipeline.RESTATED_DAYS))))
            .setCoder(SerializableCoder.of(Fact.class)));

    // One fact that says nothing, so that the checks run (and fail) when nothing at all is found.
    facts.add(pipeline.apply("EvenWithNoData", Create.of(NOTHING).withCoder(SerializableCoder.of(Fact.class))));
    PCollectionList.of(facts)
        .apply("AllFacts", Flatten.pCollections())
        .apply("OneReport", WithKeys.of("report"))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Fact.class)))
        .apply("Together", GroupByKey.create())
        .apply("Facts", Values.create())
        .apply(
            "CheckAndReport",
            ParDo.of(new CheckAndReport(run.outputRoot(), run.runDate(), days, readFrom, datasets, apps, options.getRowCountBand(),
                gapChecks(options))));
  }

  /**
   * The header of every raw segment processed in [first, last] (the days checked, and the
   * instances that restate them), compared with Apple's columns.
   */
  private static final class RawHeaders extends DoFn<String, Fact> {
    private final String rawRoot;
    private final LocalDate first;
    private final LocalDate last;

    RawHeaders(String rawRoot, LocalDate first, LocalDate last) {
      this.rawRoot = rawRoot;
      this.first = first;
      this.last = last;
    }

    @ProcessElement
    public void process(@Element String key, OutputReceiver<Fact> out) throws IOException {
      AppleReport report = AppleReport.byKey(key).orElseThrow();
      MatchResult match =
          FileSystems.match(RawZone.reportDirectory(rawRoot, key) + "/dt=*/app_id=*/*.tsv.gz", EmptyMatchTreatment.ALLOW);
      for (MatchResult.Metadata file : match.metadata()) {
        RawZone.RawFile raw = RawZone.parse(file.resourceId().toString()).orElse(null);
        if (raw == null || raw.processingDate().isBefore(first) || raw.processingDate().isAfter(last)) {
          continue;
        }
        String header;
        try (BufferedReader reader =
            new BufferedReader(
                new InputStreamReader(new GZIPInputStream(Channels.newInputStream(FileSystems.open(file.resourceId()))), StandardCharsets.UTF_8))) {
          header = reader.readLine();
        } catch (IOException e) {
          out.output(new Fact(key, raw.appId(), raw.processingDate(), 0, "unreadable segment " + raw.name()));
          continue;
        }
        if (header == null) {
          continue;
        }
        List<String> columns = new ArrayList<>();
        for (String column : header.split(String.valueOf(SegmentParser.sniffDelimiter(header)))) {
          columns.add(column.trim().replace("\"", ""));
        }
        List<String> expected = report.expectedHeaders();
        List<String> lower = columns.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
        for (String column : columns) {
          if (report.columnFor(column).isEmpty()) {
            out.output(new Fact(key, raw.appId(), raw.processingDate(), 0, "extra column \"" + column + "\""));
          }
        }
        List<String> present = new ArrayList<>();
        for (String column : expected) {
          if (!lower.contains(column.toLowerCase(Locale.ROOT))) {
            out.output(new Fact(key, raw.appId(), raw.processingDate(), 0, "missing column \"" + column + "\""));
          } else {
            present.add(column.toLowerCase(Locale.ROOT));
          }
        }
        List<String> known = lower.stream().filter(present::contains).toList();
        if (!known.equals(present)) {
          out.output(new Fact(key, raw.appId(), raw.processingDate(), 0, "columns reordered"));
        }
      }
    }
  }

  private static final class CheckAndReport extends DoFn<Iterable<Fact>, Void> {
    private final String outputRoot;
    private final LocalDate runDate;
    private final DayRange days;
    private final LocalDate readFrom;
    private final List<String> datasets;
    private final Set<Long> apps;
    private final double band;
    private final Set<String> gapChecked;

    CheckAndReport(
        String outputRoot, LocalDate runDate, DayRange days, LocalDate readFrom, List<String> datasets, Set<Long> apps, double band,
        Set<String> gapChecked) {
      this.outputRoot = outputRoot;
      this.runDate = runDate;
      this.days = days;
      this.readFrom = readFrom;
      this.datasets = datasets;
      this.apps = apps;
      this.band = band;
      this.gapChecked = gapChecked;
    }

    @ProcessElement
    public void process(@Element Iterable<Fact> facts) throws IOException {
      Map<String, TreeMap<LocalDate, Long>> rows = new TreeMap<>(); // dataset|app -> day -> rows
      Map<String, Map<String, Integer>> headerFindings = new TreeMap<>();
      for (Fact fact : facts) {
        if (fact.equals(NOTHING)) {
          continue;
        }
        if (!apps.isEmpty() && !apps.contains(fact.appId())) {
          continue;
        }
        if (fact.headerFinding() != null) {
          headerFindings.computeIfAbsent(fact.dataset(), d -> new TreeMap<>()).merge(fact.headerFinding(), 1, Integer::sum);
        } else {
          rows.computeIfAbsent(fact.dataset() + "|" + fact.appId(), k -> new TreeMap<>()).merge(fact.day(), fact.rows(), Long::sum);
        }
      }
      List<Map<String, Object>> checks = new ArrayList<>();
      for (String dataset : datasets) {
        int lag = LAG_DAYS.getOrDefault(dataset, 2);
        List<String> keys = rows.keySet().stream().filter(k -> k.startsWith(dataset + "|")).toList();
        if (keys.isEmpty()) {
          checks.add(check("freshness", dataset, null, false, "no curated rows since " + readFrom));
        } else if (gapChecked.contains(dataset)) {
          // Every live app has rows in these each day: a configured app with none is not fresh.
          for (long app : apps) {
            if (!rows.containsKey(dataset + "|" + app)) {
              checks.add(check("freshness", dataset, app, false, "no curated rows of this app since " + readFrom));
            }
          }
        }
        for (String key : keys) {
          long app = Long.parseLong(key.substring(key.indexOf('|') + 1));
          TreeMap<LocalDate, Long> perDay = rows.get(key);
          LocalDate newest = perDay.lastKey();
          long hoursBehind = ChronoUnit.HOURS.between(newest.atStartOfDay(), runDate.atStartOfDay());
          boolean fresh = hoursBehind <= lag * 24L + 26;
          checks.add(check("freshness", dataset, app, fresh,
              "newest day " + newest + ", " + hoursBehind + " h before the run date (allowed " + (lag * 24 + 26) + " h)"));
          List<String> outside = new ArrayList<>();
          Long previous = null;
          for (Map.Entry<LocalDate, Long> day : perDay.entrySet()) {
            if (days.contains(day.getKey()) && previous != null && previous > 0) {
              double change = (double) (day.getValue() - previous) / previous;
              if (Math.abs(change) > band) {
                outside.add(day.getKey() + String.format(Locale.ROOT, " (%+.0f%%)", change * 100));
              }
            }
            previous = day.getValue();
          }
          checks.add(check("row_count_band", dataset, app, outside.isEmpty(),
              outside.isEmpty() ? "every day within ±" + Math.round(band * 100) + "% of the day before" : "outside the band: " + String.join(", ", outside)));
          if (gapChecked.contains(dataset)) {
            List<LocalDate> missing = new ArrayList<>();
            for (LocalDate day = perDay.firstKey(); day.isBefore(newest); day = day.plusDays(1)) {
              if (days.contains(day) && !perDay.containsKey(day)) {
                missing.add(day);
              }
            }
            checks.add(check("missing_days", dataset, app, missing.isEmpty(),
                missing.isEmpty() ? "no day without rows between " + perDay.firstKey() + " and " + newest
                    : missing.size() + " day(s) without rows between days with rows: " + missing));
          }
        }
        if (!dataset.equals("reviews")) {
          Map<String, Integer> findings = headerFindings.getOrDefault(dataset, Map.of());
          checks.add(check("header_drift", dataset, null, findings.isEmpty(),
              findings.isEmpty() ? "every raw header has Apple's columns" : findings.toString()));
        }
      }
      for (Map<String, Object> check : checks) {
        if (!(Boolean) check.get("passed")) {
          RunSignals.checkFailed(check.get("check") + " " + check.get("dataset"));
        }
      }
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("run_date", runDate.toString());
      report.put("days", days.toString());
      report.put("passed", checks.stream().allMatch(c -> (Boolean) c.get("passed")));
      report.put("checks", checks);
      Map<String, Map<String, Long>> rowsPerDay = new TreeMap<>();
      rows.forEach((key, perDay) -> perDay.forEach((day, n) ->
          rowsPerDay.computeIfAbsent(key.substring(0, key.indexOf('|')), d -> new TreeMap<>()).merge(day.toString(), n, Long::sum)));
      report.put("rows_per_day", rowsPerDay);
      String folder = Locations.join(outputRoot, "_reports", "appstore-verify");
      write(folder + "/" + runDate + ".json", Json.writePretty(report));
      write(folder + "/" + runDate + ".html", VerifyPage.html(report, checks, rowsPerDay));
    }

    private static Map<String, Object> check(String name, String dataset, Long app, boolean passed, String detail) {
      Map<String, Object> check = new LinkedHashMap<>();
      check.put("check", name);
      check.put("dataset", dataset);
      if (app != null) {
        check.put("app_id", app);
      }
      check.put("passed", passed);
      check.put("detail", detail);
      return check;
    }

    private static void write(String path, String text) throws IOException {
      try (WritableByteChannel channel = FileSystems.create(FileSystems.matchNewResource(path, false), "text/plain")) {
        channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      }
    }
  }

}
