package io.analyticsetl.pipelines.appstore;

import io.analyticsetl.common.io.Locations;
import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.options.OptionValues;
import io.analyticsetl.common.run.EtlPipeline;
import io.analyticsetl.common.run.RunContext;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.values.DayRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * {@code appstore-curate}: re-curates raw segments and review pages already landed in the raw zone
 * for a range of metric days, without calling Apple.
 */
public final class AppstoreCuratePipeline implements EtlPipeline<AppstoreOptions> {

  @Override
  public String name() {
    return "appstore-curate";
  }

  @Override
  public String domain() {
    return AppstoreDatasets.DOMAIN;
  }

  @Override
  public String summary() {
    return "Re-curate App Store Connect raw files already landed (--rawRoot) for a date range; no API calls.";
  }

  @Override
  public Class<AppstoreOptions> optionsClass() {
    return AppstoreOptions.class;
  }

  @Override
  public List<Dataset> datasets() {
    List<Dataset> datasets = new ArrayList<>(AppstoreDatasets.REPORT_DATASETS);
    datasets.add(AppstoreDatasets.REVIEWS);
    return datasets;
  }

  @Override
  public Map<String, List<String>> partitionValues(AppstoreOptions options) {
    return appPartitions(options);
  }

  /** The configured apps as the values of the {@code app_id} partition (none: every app). */
  static Map<String, List<String>> appPartitions(AppstoreOptions options) {
    Set<Long> apps = apps(options);
    return apps.isEmpty() ? Map.of() : Map.of("app_id", apps.stream().map(String::valueOf).toList());
  }

  @Override
  public void validate(AppstoreOptions options) {
    days(options, OptionValues.runDate(options));
    reports(options);
    apps(options);
  }

  @Override
  public void build(Pipeline pipeline, AppstoreOptions options, RunContext run) {
    DayRange days = days(options, run.runDate());
    String rawRoot = options.getRawRoot() == null ? run.outputRoot() : Locations.normalizeRoot(options.getRawRoot());
    Set<Long> apps = apps(options);
    for (AppleReport report : reports(options)) {
      run.deadLetters(pipeline.apply(new CurateReports(rawRoot, report, apps, days, run.sink())));
    }
    if (reviewsRequested(options)) {
      PCollectionTuple reviews = pipeline.apply(new CurateReviews(rawRoot, apps, days));
      run.deadLetters(reviews.get(CurateReviews.DEAD_LETTERS));
      run.write(AppstoreDatasets.REVIEWS, reviews.get(CurateReviews.REVIEWS));
    }
  }

  static boolean reviewsRequested(AppstoreOptions options) {
    return Arrays.stream(options.getReports().split(",")).map(String::trim).anyMatch("reviews"::equals);
  }

  /** [--startDate, --endDate], by default the 35 days of Apple's instance retention before runDate. */
  static DayRange days(AppstoreOptions options, LocalDate runDate) {
    LocalDate last = options.getEndDate() == null ? runDate.minusDays(1) : OptionValues.date("endDate", options.getEndDate());
    LocalDate first =
        options.getStartDate() == null ? runDate.minusDays(35) : OptionValues.date("startDate", options.getStartDate());
    if (last.isBefore(first)) {
      throw new InvalidOptionException("endDate", "must not be before --startDate (" + first + ")");
    }
    return new DayRange(first, last);
  }

  /** The report datasets named by --reports (reviews are not a report). */
  static List<AppleReport> reports(AppstoreOptions options) {
    List<AppleReport> reports = new ArrayList<>();
    for (String key : Arrays.stream(options.getReports().split(",")).map(String::trim).filter(k -> !k.isEmpty()).toList()) {
      if (key.equals("reviews")) {
        continue;
      }
      reports.add(
          AppleReport.byKey(key)
              .orElseThrow(
                  () ->
                      new InvalidOptionException(
                          "reports",
                          "unknown dataset \"" + key + "\"; one of downloads, engagement, sessions, installs,"
                              + " purchases, performance, reviews")));
    }
    return reports;
  }

  /** --appIds or --appIdsFile; empty means every app. */
  static Set<Long> apps(AppstoreOptions options) {
    List<String> ids = new ArrayList<>();
    if (options.getAppIds() != null) {
      ids.addAll(Arrays.asList(options.getAppIds().split(",")));
    }
    if (options.getAppIdsFile() != null) {
      try {
        ids.addAll(Files.readAllLines(Path.of(options.getAppIdsFile())));
      } catch (IOException e) {
        throw new InvalidOptionException("appIdsFile", "cannot read " + options.getAppIdsFile() + ": " + e.getMessage());
      }
    }
    Set<Long> apps = new LinkedHashSet<>();
    for (String id : ids) {
      String trimmed = id.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      if (!trimmed.matches("\\d{1,19}")) {
        throw new InvalidOptionException(
            options.getAppIds() != null ? "appIds" : "appIdsFile", "\"" + trimmed + "\" is not an App Apple Identifier");
      }
      apps.add(Long.parseLong(trimmed));
    }
    return apps;
  }
}
