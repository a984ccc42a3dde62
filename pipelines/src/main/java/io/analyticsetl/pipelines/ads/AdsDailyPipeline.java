package io.analyticsetl.pipelines.ads;

import static io.analyticsetl.pipelines.ads.AdsDatasets.ACCOUNT_DAILY;
import static io.analyticsetl.pipelines.ads.AdsDatasets.AD_FEATURES_DAILY;
import static io.analyticsetl.pipelines.ads.AdsDatasets.AD_PERFORMANCE_DAILY;
import static io.analyticsetl.pipelines.ads.AdsDatasets.AD_QUALITY_REPORT;
import static io.analyticsetl.pipelines.ads.AdsDatasets.AD_TRAINING_EXAMPLES;

import io.analyticsetl.common.deadletter.DeadLetter;
import io.analyticsetl.common.json.Json;
import io.analyticsetl.common.ledger.RunSignals;
import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.run.EtlPipeline;
import io.analyticsetl.common.run.RunContext;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.values.DayRange;
import io.analyticsetl.transforms.Dedupe;
import io.analyticsetl.transforms.validate.Rule;
import io.analyticsetl.transforms.validate.Validate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.Keys;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Min;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code ads-daily}: extracts ad-level daily performance per account and date slice (resuming from
 * the raw zone's checkpoints), normalises every platform into one schema, validates, deduplicates
 * on the natural key (newest extraction wins), joins the internal creatives, derives the ratios,
 * and loads ad_performance_daily and account_daily (upserted, so lookback re-pulls converge), the
 * rolling features and training examples, and the quality report.
 */
public final class AdsDailyPipeline implements EtlPipeline<AdsOptions> {

  static final List<String> CADENCES = List.of("daily", "hourly", "weekly");
  static final int WEEKLY_DAYS = 28;

  @Override
  public String name() {
    return "ads-daily";
  }

  @Override
  public String domain() {
    return AdsDatasets.DOMAIN;
  }

  @Override
  public String summary() {
    return "Extract, normalise, validate, enrich and load ad performance from the ad platforms and internal creatives.";
  }

  @Override
  public Class<AdsOptions> optionsClass() {
    return AdsOptions.class;
  }

  @Override
  public List<Dataset> datasets() {
    return List.of(AD_PERFORMANCE_DAILY, ACCOUNT_DAILY, AD_FEATURES_DAILY, AD_TRAINING_EXAMPLES, AD_QUALITY_REPORT);
  }

  @Override
  public void validate(AdsOptions options) {
    if (!CADENCES.contains(options.getCadence())) {
      throw new InvalidOptionException("cadence", "must be daily, hourly or weekly, got \"" + options.getCadence() + "\"");
    }
    GoogleAdsConnector.Method.parse(options.getGoogleAdsMethod());
    if (options.getLookbackDays() != null && options.getLookbackDays() < 0) {
      throw new InvalidOptionException("lookbackDays", "must not be negative");
    }
    if (options.getMaxCatchUpDays() < 0) {
      throw new InvalidOptionException("maxCatchUpDays", "must not be negative");
    }
    Map<Platform, List<String>> accounts = accounts(options);
    if (accounts.isEmpty() && creativesPath(options) == null) {
      throw new InvalidOptionException("accounts", "names no account (and there is no --internalCreativesPath)");
    }
    accounts.keySet().forEach(p -> AdConnectors.of(p, options));
  }

  /** The creatives export must be there before any API is called (it may be on S3, so not in validate). */
  @Override
  public void preflight(AdsOptions options) {
    String creatives = creativesPath(options);
    if (creatives == null) {
      return;
    }
    try {
      FileSystems.matchSingleFileSpec(creatives);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidOptionException("internalCreativesPath", "cannot read " + creatives + ": " + e.getMessage());
    }
  }

  /** The creatives export to read: --internalCreativesPath, unless --platforms leaves internal out. */
  static String creativesPath(AdsOptions options) {
    if (options.getInternalCreativesPath() == null || options.getPlatforms() == null) {
      return options.getInternalCreativesPath();
    }
    boolean internal = Arrays.stream(options.getPlatforms().split(","))
        .anyMatch(name -> Platform.fromOption(name).orElse(null) == Platform.INTERNAL);
    return internal ? options.getInternalCreativesPath() : null;
  }

  /** The accounts per platform, limited to --platforms when given. */
  static Map<Platform, List<String>> accounts(AdsOptions options) {
    Set<Platform> wanted = null;
    if (options.getPlatforms() != null) {
      wanted = new LinkedHashSet<>();
      for (String name : options.getPlatforms().split(",")) {
        if (name.isBlank()) {
          continue;
        }
        wanted.add(Platform.fromOption(name).orElseThrow(() -> new InvalidOptionException(
            "platforms", "unknown platform \"" + name.trim() + "\"; one of meta, google_ads, tiktok, amazon_ads, internal")));
      }
    }
    List<String> entries = new ArrayList<>();
    if (options.getAccounts() != null) {
      entries.addAll(Arrays.asList(options.getAccounts().split(",")));
    }
    if (options.getAccountsFile() != null) {
      try {
        entries.addAll(Files.readAllLines(Path.of(options.getAccountsFile())));
      } catch (IOException e) {
        throw new InvalidOptionException("accountsFile", "cannot read " + options.getAccountsFile() + ": " + e.getMessage());
      }
    }
    Map<Platform, List<String>> accounts = new EnumMap<>(Platform.class);
    for (String entry : entries) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      int colon = trimmed.indexOf(':');
      Platform platform = colon < 0 ? null : Platform.fromOption(trimmed.substring(0, colon)).orElse(null);
      String id = colon < 0 ? "" : trimmed.substring(colon + 1).trim();
      if (platform == null || platform == Platform.INTERNAL || !id.matches("[A-Za-z0-9_-]{1,40}")) {
        throw new InvalidOptionException(options.getAccounts() != null ? "accounts" : "accountsFile",
            "\"" + trimmed + "\" is not <platform>:<account id>");
      }
      if (wanted == null || wanted.contains(platform)) {
        accounts.computeIfAbsent(platform, p -> new ArrayList<>()).add(id);
      }
    }
    return accounts;
  }

  private static LocalDate catchUpFrom(RunContext run, Platform platform, String account, LocalDate windowFirst, int maxDays) {
    try {
      return SliceExtraction.catchUpFrom(run.outputRoot(), platform, account, windowFirst, maxDays);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot list the checkpoints of " + platform.option() + " account " + account, e);
    }
  }

  /** The days a platform's accounts are pulled for, by cadence. */
  static DayRange window(AdsOptions options, Platform platform, LocalDate runDate) {
    LocalDate yesterday = runDate.minusDays(1);
    return switch (options.getCadence()) {
      case "hourly" -> new DayRange(yesterday, runDate);
      case "weekly" -> new DayRange(runDate.minusDays(WEEKLY_DAYS), yesterday);
      default -> {
        int lookback = options.getLookbackDays() != null ? options.getLookbackDays() : platform.defaultLookbackDays();
        yield new DayRange(yesterday.minusDays(lookback), yesterday);
      }
    };
  }

  @Override
  public void build(Pipeline pipeline, AdsOptions options, RunContext run) {
    Map<Platform, List<String>> accounts = accounts(options);
    Map<Platform, AdConnector> connectors = new EnumMap<>(Platform.class);
    Map<String, DayRange> windows = new LinkedHashMap<>();
    List<AccountSlice> slices = new ArrayList<>();
    LocalDate firstDay = run.runDate().minusDays(1);
    for (Map.Entry<Platform, List<String>> platform : accounts.entrySet()) {
      AdConnector connector = AdConnectors.of(platform.getKey(), options);
      connectors.put(platform.getKey(), connector);
      DayRange window = window(options, platform.getKey(), run.runDate());
      LocalDate platformFirst = window.first();
      for (String account : platform.getValue()) {
        slices.addAll(AccountSlice.of(platform.getKey(), account, window.first(), window.last(), connector.maxSliceDays()));
        // Slices of their own, so that the window's slices (and checkpoints) stay the same.
        LocalDate catchUp = catchUpFrom(run, platform.getKey(), account, window.first(), options.getMaxCatchUpDays());
        if (catchUp.isBefore(window.first())) {
          slices.addAll(AccountSlice.of(platform.getKey(), account, catchUp, window.first().minusDays(1), connector.maxSliceDays()));
          run.note(platform.getKey().option() + " account " + account + " catches up from " + catchUp
              + ", the first day no checkpoint holds");
          platformFirst = catchUp.isBefore(platformFirst) ? catchUp : platformFirst;
        }
      }
      windows.put(platform.getKey().name(), new DayRange(platformFirst, window.last()));
      firstDay = platformFirst.isBefore(firstDay) ? platformFirst : firstDay;
    }

    PCollectionTuple extraction =
        pipeline
            .apply("Slices", Create.of(slices).withCoder(SerializableCoder.of(AccountSlice.class)))
            .apply("CountSlices", ParDo.of(new CountWork()))
            .apply("SpreadSlices", Reshuffle.viaRandomKey())
            .apply("Extract", ParDo.of(new SliceExtraction(connectors, run.outputRoot(), run.runDate(), run.startedAt()))
                .withOutputTags(SliceExtraction.ROWS,
                    TupleTagList.of(SliceExtraction.FAILED).and(SliceExtraction.COVERED).and(SliceExtraction.UNCOVERED)));
    run.deadLetters(extraction.get(SliceExtraction.FAILED).setCoder(SerializableCoder.of(DeadLetter.class)));
    PCollection<Row> extracted = extraction.get(SliceExtraction.ROWS).setRowSchema(Extracted.SCHEMA);
    PCollection<Row> covered = extraction.get(SliceExtraction.COVERED).setRowSchema(ReconcileAdRows.COVERAGE);

    PCollectionTuple checked =
        extracted.apply(
            Validate.stage("validate_ads")
                .source("ad platform reports")
                .with(
                    Rule.required("ad_id"), Rule.required("platform"), Rule.required("account_id"), Rule.required("date"),
                    Rule.allowedValues("platform", Arrays.stream(Platform.values()).map(Platform::name).toList()),
                    Rule.required("impressions"), Rule.required("clicks"), Rule.required("spend"),
                    Rule.required("conversions"), Rule.required("conversion_value"), Rule.required("account_currency"),
                    Rule.min("impressions", 0), Rule.min("clicks", 0), Rule.min("spend", 0), Rule.min("conversions", 0),
                    Rule.atMost("clicks", "impressions")));
    run.deadLetters(checked.get(Validate.INVALID));
    PCollection<Row> deduped =
        checked.get(Validate.VALID)
            .apply("NewestPerNaturalKey", Dedupe.byKey("platform", "account_id", "ad_id", "date").newestBy("extracted_at")
                .countingIn(StageCounters.of("dedupe_ads")));

    PCollection<Row> performance = deduped.apply("AdPerformance", new AdPerformance(creatives(pipeline, options, run)));
    // Training examples start 7 days before the first feature day, and their 28-day windows 27 before that.
    PCollection<Row> history = run.readExisting(pipeline, AD_PERFORMANCE_DAILY, firstDay.minusDays(7 + 27));
    // Each account-day as its latest extraction has it: a replayed older checkpoint does not undo
    // figures a later run extracted, and rows a platform no longer reports are deleted.
    PCollectionTuple reconciled = history.apply("Reconcile", new ReconcileAdRows(performance, extracted, covered));
    PCollection<Row> state = reconciled.get(ReconcileAdRows.CURRENT);
    PCollection<Row> written = reconciled.get(ReconcileAdRows.WRITTEN);
    PCollection<Row> vanished = reconciled.get(ReconcileAdRows.VANISHED);
    run.upsert(AD_PERFORMANCE_DAILY, written, vanished);

    PCollectionTuple accountDays =
        state.apply("AccountDaily", new AccountDaily(
            PCollectionList.of(written).and(vanished).apply("WrittenAndVanished", Flatten.pCollections())
                .setRowSchema(AD_PERFORMANCE_DAILY.beamSchema())));
    run.upsert(ACCOUNT_DAILY, accountDays.get(AccountDaily.SUMS), accountDays.get(AccountDaily.EMPTIED));
    // Only the accounts this run extracted whole: another platform's (or a stopped account's, or one
    // slice of it that failed) days since its last load are unknown, not days without delivery, and
    // must not become zeros in its features. An account whose slices came back without rows was
    // extracted: its days are known to be zeros.
    PCollection<KV<String, Boolean>> accountCoverage =
        PCollectionList.of(
                covered.apply("AccountOfSlice", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.booleans()))
                    .via(row -> KV.of(accountKey(row), true))))
            .and(extraction.get(SliceExtraction.UNCOVERED).setCoder(StringUtf8Coder.of())
                .apply("AccountNotCovered", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.booleans()))
                    .via(account -> KV.of(account, false))))
            .apply("CoveredOrNot", Flatten.pCollections());
    PCollectionView<List<String>> accountsExtracted =
        accountCoverage
            .apply("AccountsExtractedWhole", Min.perKey()) // false < true: whole when no slice was uncovered
            .apply("Whole", Filter.by(KV::getValue))
            .apply("AccountsExtracted", Keys.create())
            .apply("AccountsView", View.asList());
    PCollectionTuple features =
        state
            .apply("OfAccountsExtracted", ParDo.of(new OfAccounts(accountsExtracted)).withSideInputs(accountsExtracted))
            .setRowSchema(AD_PERFORMANCE_DAILY.beamSchema())
            .apply("Features", new AdFeatures(firstDay, run.runDate().minusDays(1)));
    // Features and examples the recomputed days of those accounts no longer have (their ad's rows
    // were withdrawn) are deleted, not left as they were.
    LocalDate lastCompleteDay = run.runDate().minusDays(1);
    PCollection<Row> featureRows = features.get(AdFeatures.FEATURES);
    PCollection<Row> trainingRows = features.get(AdFeatures.TRAINING);
    run.upsert(AD_FEATURES_DAILY, featureRows,
        storedOf(pipeline, run, AD_FEATURES_DAILY, firstDay, accountsExtracted)
            .apply("FeaturesNoLongerProduced", new NoLongerProduced(AD_FEATURES_DAILY, featureRows, AdFeatures.featureDays(firstDay, run.runDate()))));
    DayRange trainingDays = AdFeatures.trainingDays(firstDay, lastCompleteDay);
    run.upsert(AD_TRAINING_EXAMPLES, trainingRows,
        storedOf(pipeline, run, AD_TRAINING_EXAMPLES, trainingDays.first(), accountsExtracted)
            .apply("ExamplesNoLongerProduced", new NoLongerProduced(AD_TRAINING_EXAMPLES, trainingRows, trainingDays)));

    quality(run, windows, extracted, performance, checked.get(Validate.INVALID),
        creativesPath(options) != null, options.getFailOnQualityIssues());
  }

  /** The stored rows of a dataset from {@code firstDay} on, of the accounts this run extracted. */
  private static PCollection<Row> storedOf(
      Pipeline pipeline, RunContext run, Dataset dataset, LocalDate firstDay, PCollectionView<List<String>> accounts) {
    return run.readExisting(pipeline, dataset, firstDay)
        .apply("Stored_" + dataset.name() + "_OfAccountsExtracted", ParDo.of(new OfAccounts(accounts)).withSideInputs(accounts))
        .setRowSchema(dataset.beamSchema());
  }

  private static PCollection<Row> creatives(Pipeline pipeline, AdsOptions options, RunContext run) {
    if (creativesPath(options) == null) {
      return pipeline.apply("NoCreatives", Create.empty(SchemaCoder.of(Creatives.SCHEMA)));
    }
    PCollectionTuple parsed =
        pipeline
            .apply("CreativesFile", Create.of(creativesPath(options)))
            .apply("ReadCreatives", ParDo.of(new Creatives.Read()).withOutputTags(Creatives.ROWS, TupleTagList.of(Creatives.UNPARSEABLE)));
    run.deadLetters(parsed.get(Creatives.UNPARSEABLE).setCoder(SerializableCoder.of(DeadLetter.class)));
    PCollectionTuple checked =
        parsed.get(Creatives.ROWS).setRowSchema(Creatives.SCHEMA)
            .apply(
                Validate.stage("read_internal_creatives")
                    .source(options.getInternalCreativesPath())
                    .with(
                        Rule.required("platform"), Rule.required("ad_id"),
                        Rule.allowedValues("platform", Arrays.stream(Platform.values()).map(Platform::name).toList()),
                        Rule.maxLength("headline", 200), Rule.notBefore("end_date", "start_date")));
    run.deadLetters(checked.get(Validate.INVALID));
    return checked.get(Validate.VALID);
  }

  private static void quality(
      RunContext run, Map<String, DayRange> windows, PCollection<Row> extracted, PCollection<Row> performance,
      PCollection<DeadLetter> invalid, boolean creativesRead, boolean failRunOnFailedChecks) {
    TupleTag<Row> extractedTag = new TupleTag<>();
    TupleTag<Row> finalTag = new TupleTag<>();
    TupleTag<Long> invalidTag = new TupleTag<>();
    PCollection<KV<String, Long>> refused =
        invalid
            .apply("PlatformOfRefused", MapElements.into(TypeDescriptors.strings()).via(AdsDailyPipeline::platformOf))
            .apply("RefusedPerPlatform", Count.perElement());
    PCollection<Row> report =
        KeyedPCollectionTuple.of(
                extractedTag,
                extracted.apply("KeyExtracted", WithKeys.of((Row r) -> r.getString("platform")))
                    .setCoder(KvCoder.of(StringUtf8Coder.of(), SchemaCoder.of(Extracted.SCHEMA))))
            .and(finalTag,
                performance.apply("KeyFinal", WithKeys.of((Row r) -> r.getString("platform")))
                    .setCoder(KvCoder.of(StringUtf8Coder.of(), SchemaCoder.of(AD_PERFORMANCE_DAILY.beamSchema()))))
            .and(invalidTag, refused.setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
            // Every platform the run asked, so one that delivered nothing at all is reported (as not timely).
            .and(new TupleTag<String>(),
                extracted.getPipeline()
                    .apply("PlatformsAsked", Create.of(new ArrayList<>(windows.keySet())).withCoder(StringUtf8Coder.of()))
                    .apply("KeyAsked", WithKeys.of((String platform) -> platform))
                    .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))
            .apply("ByPlatform", CoGroupByKey.create())
            .apply("Checks", ParDo.of(new QualityReport.Check(extractedTag, finalTag, invalidTag, run.runDate(), run.runId(), windows, creativesRead)))
            .setRowSchema(AD_QUALITY_REPORT.beamSchema());
    run.write(AD_QUALITY_REPORT, report);
    report
        .apply("OnePage", WithKeys.of("report"))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SchemaCoder.of(AD_QUALITY_REPORT.beamSchema())))
        .apply("AllChecks", GroupByKey.create())
        .apply("ChecksOfRun", Values.create())
        .apply("WritePage", ParDo.of(new QualityReport.WritePage(run.outputRoot(), run.runDate(), failRunOnFailedChecks)));
  }

  private static String accountKey(Row row) {
    return row.getString("platform") + "|" + row.getString("account_id");
  }

  private static String platformOf(DeadLetter letter) {
    try {
      return Json.MAPPER.readTree(letter.record()).path("platform").asText("UNKNOWN");
    } catch (IOException e) {
      return "UNKNOWN";
    }
  }

  /** Keeps the rows of the accounts in a side input of {@link #accountKey}s. */
  private static final class OfAccounts extends DoFn<Row, Row> {
    private final PCollectionView<List<String>> accounts;

    OfAccounts(PCollectionView<List<String>> accounts) {
      this.accounts = accounts;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<Row> out, ProcessContext context) {
      if (context.sideInput(accounts).contains(accountKey(row))) {
        out.output(row);
      }
    }
  }

  /** Counts the slices for the progress line. */
  private static final class CountWork extends DoFn<AccountSlice, AccountSlice> {
    @ProcessElement
    public void process(@Element AccountSlice slice, OutputReceiver<AccountSlice> out) {
      RunSignals.workFound(1);
      out.output(slice);
    }
  }
}
