package io.analyticsetl.pipelines.appstore;

import static io.analyticsetl.pipelines.appstore.AppstoreDatasets.REVIEWS;

import io.analyticsetl.common.ledger.RunSignals;
import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.options.OptionValues;
import io.analyticsetl.common.run.EtlPipeline;
import io.analyticsetl.common.run.RunContext;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.values.DayRange;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.Min;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.Keys;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code appstore-daily} and {@code appstore-backfill}: for every configured app, make sure one
 * ONGOING report request exists, resolve the reports by exact name, list the DAILY instances of the
 * processing days wanted, download every segment not landed yet (spread across workers, verified
 * by size and checksum) into the raw zone, then curate the affected metric days from the raw zone
 * and fetch new customer reviews.
 */
public final class AppstoreExtractPipeline implements EtlPipeline<AppstoreOptions> {

  /** Instances are kept for 35 days; older data needs a ONE_TIME_SNAPSHOT request. */
  static final int RETENTION_DAYS = 35;
  /** The widest restatement window of the reports (sessions, installs, crashes: 5 days + 1). */
  static final int RESTATED_DAYS = 7;

  private final boolean backfill;

  private AppstoreExtractPipeline(boolean backfill) {
    this.backfill = backfill;
  }

  public static AppstoreExtractPipeline daily() {
    return new AppstoreExtractPipeline(false);
  }

  public static AppstoreExtractPipeline backfill() {
    return new AppstoreExtractPipeline(true);
  }

  @Override
  public String name() {
    return backfill ? "appstore-backfill" : "appstore-daily";
  }

  @Override
  public String domain() {
    return AppstoreDatasets.DOMAIN;
  }

  @Override
  public String summary() {
    return backfill
        ? "App Store Connect reports for a date range (--startDate/--endDate or --days N), with progress."
        : "Extract the latest daily App Store Connect report instances for all configured apps, land raw, curate.";
  }

  @Override
  public Class<AppstoreOptions> optionsClass() {
    return AppstoreOptions.class;
  }

  @Override
  public List<Dataset> datasets() {
    List<Dataset> datasets = new ArrayList<>(AppstoreDatasets.REPORT_DATASETS);
    datasets.add(REVIEWS);
    return datasets;
  }

  @Override
  public Map<String, List<String>> partitionValues(AppstoreOptions options) {
    return AppstoreCuratePipeline.appPartitions(options);
  }

  @Override
  public void validate(AppstoreOptions options) {
    if (AppstoreCuratePipeline.apps(options).isEmpty()) {
      throw new InvalidOptionException("appIds", "is required (or --appIdsFile): the apps to extract");
    }
    AppstoreCuratePipeline.reports(options);
    if (!backfill && options.getProcessingDays() < 1) {
      throw new InvalidOptionException("processingDays", "must be at least 1, got " + options.getProcessingDays());
    }
    LocalDate runDate = OptionValues.runDate(options);
    DayRange metric = metricDays(options, runDate);
    if (!metric.last().isBefore(runDate)) {
      throw new InvalidOptionException("endDate", "must be before the run date (" + runDate + "): Apple reports whole days only once they are over");
    }
    if (options.getReviewsLookbackDays() < 0) {
      throw new InvalidOptionException("reviewsLookbackDays", "must not be negative, got " + options.getReviewsLookbackDays());
    }
    AppstoreApi.client(options);
  }

  /** The metric days to curate: backfill's range, or the days today's instances restate. */
  DayRange metricDays(AppstoreOptions options, LocalDate runDate) {
    if (!backfill) {
      return new DayRange(runDate.minusDays(options.getProcessingDays() + RESTATED_DAYS), runDate.minusDays(1));
    }
    if (options.getDays() != null) {
      if (options.getDays() < 1) {
        throw new InvalidOptionException("days", "must be at least 1");
      }
      return new DayRange(runDate.minusDays(options.getDays()), runDate.minusDays(1));
    }
    if (options.getStartDate() == null) {
      throw new InvalidOptionException("startDate", "appstore-backfill needs --startDate (and --endDate) or --days");
    }
    return AppstoreCuratePipeline.days(options, runDate);
  }

  /** The processing days whose instances hold the metric days wanted. */
  DayRange processingDays(AppstoreOptions options, LocalDate runDate, DayRange metric) {
    if (!backfill) {
      return new DayRange(runDate.minusDays(options.getProcessingDays() - 1L), runDate);
    }
    LocalDate last = metric.last().plusDays(RESTATED_DAYS).isAfter(runDate) ? runDate : metric.last().plusDays(RESTATED_DAYS);
    return new DayRange(metric.first().plusDays(1), last);
  }

  @Override
  public void build(Pipeline pipeline, AppstoreOptions options, RunContext run) {
    AppStoreConnectClient client = AppstoreApi.client(options);
    Set<Long> apps = AppstoreCuratePipeline.apps(options);
    List<AppleReport> reports = AppstoreCuratePipeline.reports(options);
    DayRange metric = metricDays(options, run.runDate());
    DayRange processing = processingDays(options, run.runDate(), metric);
    LocalDate oldestAvailable = run.runDate().minusDays(RETENTION_DAYS - 1L);
    List<String> reportKeys = reports.stream().map(AppleReport::key).toList();
    // A daily run also fetches the processing dates within retention that earlier runs missed, and
    // curates the days they hold.
    Set<String> missed = backfill ? Set.of() : missedProcessingDates(run.outputRoot(), reportKeys, apps, oldestAvailable, processing.first());
    if (!missed.isEmpty()) {
      LocalDate earliest = missed.stream().map(key -> LocalDate.parse(key.substring(key.lastIndexOf('|') + 1))).min(LocalDate::compareTo).orElseThrow();
      metric = new DayRange(min(metric.first(), earliest.minusDays(RESTATED_DAYS)), metric.last());
      run.note("instances of processing dates no earlier run landed whole are fetched too (" + missed.size() + ", from " + earliest
          + " on), and the days they hold curated again");
    }
    PCollection<Long> appIds = pipeline.apply("Apps", Create.of(new ArrayList<>(apps)).withCoder(VarLongCoder.of()));

    // Instances processed within Apple's retention come from the ONGOING request.
    PCollection<ReportRequests.Entry> registry = appIds.apply("Ongoing", new Requests(client, ReportRequests.ONGOING));
    LocalDate firstKept = max(processing.first(), oldestAvailable);
    PCollectionTuple ongoing =
        registry.apply(
            "OngoingInstances",
            new Instances(
                client,
                reportKeys,
                backfill
                    ? SegmentDownloads.ListInstances.ongoingTellingOldest(client, firstKept, processing.last())
                    : SegmentDownloads.ListInstances.ongoing(client, firstKept, processing.last(), missed)));
    PCollection<SegmentDownloads.InstanceRef> instances = ongoing.get(SegmentDownloads.ListInstances.LISTED);
    if (backfill || processing.first().isBefore(oldestAvailable)) {
      // The rest come from a ONE_TIME_SNAPSHOT request per app that needs one: instances older than
      // Apple's retention, and (in a backfill) those from before the app's ONGOING request was made.
      PCollection<KV<Long, LocalDate>> snapshotLastByApp =
          snapshotLastByApp(
              pipeline, run, apps, processing, oldestAvailable, ongoing.get(SegmentDownloads.ListInstances.OLDEST),
              firstNotLanded(run.outputRoot(), reportKeys, apps, processing.first(), processing.last()));
      PCollectionView<Map<Long, LocalDate>> lastByApp = snapshotLastByApp.apply("SnapshotDays", View.asMap());
      PCollection<ReportRequests.Entry> snapshots =
          snapshotLastByApp.apply("SnapshotApps", Keys.create()).apply("Snapshot", new Requests(client, ReportRequests.ONE_TIME_SNAPSHOT));
      PCollection<SegmentDownloads.InstanceRef> old =
          snapshots
              .apply("SnapshotInstances", new Instances(client, reportKeys, SegmentDownloads.ListInstances.snapshot(client, processing.first(), lastByApp)))
              .get(SegmentDownloads.ListInstances.LISTED);
      registry = PCollectionList.of(registry).and(snapshots).apply("AllRequests", Flatten.pCollections());
      instances = PCollectionList.of(instances).and(old).apply("AllInstances", Flatten.pCollections());
    }
    registry
        .apply("OneRegistry", WithKeys.of("registry"))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(ReportRequests.Entry.class)))
        .apply("AllApps", GroupByKey.create())
        .apply("Entries", Values.create())
        .apply("PersistRegistry", ParDo.of(new ReportRequests.Persist(run.outputRoot(), run.runId())));

    PCollectionTuple downloads =
        instances
            .apply("SpreadDownloads", Reshuffle.viaRandomKey())
            .apply(
                "DownloadSegments",
                ParDo.of(new SegmentDownloads.Download(client, run.outputRoot()))
                    .withOutputTags(SegmentDownloads.LANDED, TupleTagList.of(SegmentDownloads.FAILED)));
    PCollection<RawZone.RawFile> landed =
        downloads.get(SegmentDownloads.LANDED).setCoder(SerializableCoder.of(RawZone.RawFile.class));
    run.deadLetters(downloads.get(SegmentDownloads.FAILED).setCoder(SerializableCoder.of(io.analyticsetl.common.deadletter.DeadLetter.class)));

    for (AppleReport report : reports) {
      CurateReports curate = new CurateReports(run.outputRoot(), report, apps, metric, run.sink()).after(landed);
      run.deadLetters(pipeline.apply(backfill ? curate : curate.withOlderDaysHeld()));
    }

    if (AppstoreCuratePipeline.reviewsRequested(options)) {
      TupleTag<Long> appTag = new TupleTag<>();
      TupleTag<Instant> checkpointTag = new TupleTag<>();
      PCollection<KV<Long, Instant>> newest =
          run.readExisting(pipeline, REVIEWS)
              .apply(
                  "NewestReview",
                  MapElements.into(TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptor.of(Instant.class)))
                      .via(row -> KV.of(row.getInt64("app_id"), row.getLogicalTypeValue("created_at", Instant.class))))
              .setCoder(KvCoder.of(VarLongCoder.of(), SerializableCoder.of(Instant.class)));
      PCollection<KV<Long, Long>> configured =
          pipeline
              .apply("ReviewApps", Create.of(new ArrayList<>(apps)).withCoder(VarLongCoder.of()))
              .apply("KeyApps", WithKeys.of((Long app) -> app))
              .setCoder(KvCoder.of(VarLongCoder.of(), VarLongCoder.of()));
      PCollectionTuple fetched =
          KeyedPCollectionTuple.of(appTag, configured)
              .and(checkpointTag, newest)
              .apply("JoinCheckpoint", CoGroupByKey.create())
              .apply("FetchReviews", ParDo.of(new Reviews.Fetch(client, appTag, checkpointTag, run.outputRoot(), run.runDate(), run.runId(),
                      java.time.Duration.ofDays(options.getReviewsLookbackDays())))
                  .withOutputTags(Reviews.Fetch.ROWS, TupleTagList.of(Reviews.Fetch.UNREADABLE)));
      run.deadLetters(fetched.get(Reviews.Fetch.UNREADABLE).setCoder(SerializableCoder.of(io.analyticsetl.common.deadletter.DeadLetter.class)));
      run.write(REVIEWS, fetched.get(Reviews.Fetch.ROWS).setRowSchema(REVIEWS.beamSchema()));
    }
  }

  /**
   * Per app, the last processing date a snapshot must give: every app's before Apple's retention,
   * and an app's before the oldest instance its ONGOING request lists, when that is after the first
   * processing date wanted (the request was made since). An app whose raw zone holds every instance
   * of those dates already ({@code firstNotLanded} after them) needs none.
   */
  private static PCollection<KV<Long, LocalDate>> snapshotLastByApp(
      Pipeline pipeline, RunContext run, Set<Long> apps, DayRange processing, LocalDate oldestAvailable,
      PCollection<KV<Long, LocalDate>> oldestOngoing, Map<Long, LocalDate> firstNotLanded) {
    KvCoder<Long, LocalDate> coder = KvCoder.of(VarLongCoder.of(), SerializableCoder.of(LocalDate.class));
    LocalDate firstKept = max(processing.first(), oldestAvailable);
    // At the edge of the retention Apple may have deleted a day more than reckoned here: that is no
    // sign of a new request.
    LocalDate madeAfter = firstKept.equals(oldestAvailable) ? firstKept.plusDays(2) : firstKept;
    LocalDate last = processing.last();
    PCollection<KV<Long, LocalDate>> beforeRequests =
        oldestOngoing
            .apply("OldestOfApp", Min.perKey())
            .setCoder(coder)
            .apply("MadeSinceFirstWanted", Filter.by(oldest -> oldest.getValue().isAfter(madeAfter) && !last.isBefore(firstKept)
                && firstNotLanded.containsKey(oldest.getKey()) && firstNotLanded.get(oldest.getKey()).isBefore(oldest.getValue())))
            .apply(
                "HeldBeforeRequest",
                MapElements.into(coder.getEncodedTypeDescriptor())
                    .via(oldest -> {
                      RunSignals.note("an app's ONGOING request lists no instances processed before it was made; the processing"
                          + " dates wanted before that come from a ONE_TIME_SNAPSHOT request");
                      return KV.of(oldest.getKey(), min(last, oldest.getValue().minusDays(1)));
                    }))
            .setCoder(coder);
    if (!processing.first().isBefore(oldestAvailable)) {
      return beforeRequests;
    }
    LocalDate lastOld = min(last, oldestAvailable.minusDays(1));
    List<KV<Long, LocalDate>> lacking =
        apps.stream()
            .filter(app -> firstNotLanded.containsKey(app) && !firstNotLanded.get(app).isAfter(lastOld))
            .map(app -> KV.of(app, lastOld))
            .toList();
    run.note("instances processed before " + oldestAvailable + " are past Apple's 35-day retention; those the raw zone"
        + " lacks come from a ONE_TIME_SNAPSHOT request per app (Apple allows one a month; an existing one is reused)");
    if (lacking.size() < apps.size()) {
      run.note((apps.size() - lacking.size()) + " app(s) need no snapshot: the raw zone holds every instance processed before "
          + oldestAvailable + " that the backfill wants");
    }
    PCollection<KV<Long, LocalDate>> pastRetention = pipeline.apply("PastRetention", Create.of(lacking).withCoder(coder));
    return PCollectionList.of(pastRetention)
        .and(beforeRequests)
        .apply("SnapshotNeeds", Flatten.pCollections())
        .apply("LastOfApp", Max.perKey())
        .setCoder(coder);
  }

  private static Map<Long, LocalDate> firstNotLanded(String root, List<String> reports, Set<Long> apps, LocalDate from, LocalDate through) {
    try {
      return new java.util.HashMap<>(RawZone.firstNotLanded(root, reports, apps, from, through));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot list the raw zone's processing dates", e);
    }
  }

  private static Set<String> missedProcessingDates(String root, List<String> reports, Set<Long> apps, LocalDate from, LocalDate before) {
    try {
      return RawZone.missedProcessingDates(root, reports, apps, from, before);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot list the raw zone's processing dates", e);
    }
  }

  private static LocalDate max(LocalDate a, LocalDate b) {
    return a.isAfter(b) ? a : b;
  }

  private static LocalDate min(LocalDate a, LocalDate b) {
    return a.isBefore(b) ? a : b;
  }

  /** Each app's request of one access type, found or made. */
  private static final class Requests extends PTransform<PCollection<Long>, PCollection<ReportRequests.Entry>> {
    private final AppStoreConnectClient client;
    private final String accessType;

    Requests(AppStoreConnectClient client, String accessType) {
      this.client = client;
      this.accessType = accessType;
    }

    @Override
    public PCollection<ReportRequests.Entry> expand(PCollection<Long> apps) {
      return apps.apply("EnsureRequest", ParDo.of(new ReportRequests.Ensure(client, accessType)))
          .setCoder(SerializableCoder.of(ReportRequests.Entry.class));
    }
  }

  /** The DAILY instances of the wanted reports of each request, as {@code listing} picks them. */
  private static final class Instances extends PTransform<PCollection<ReportRequests.Entry>, PCollectionTuple> {
    private final AppStoreConnectClient client;
    private final List<String> reportKeys;
    private final SegmentDownloads.ListInstances listing;

    Instances(AppStoreConnectClient client, List<String> reportKeys, SegmentDownloads.ListInstances listing) {
      this.client = client;
      this.reportKeys = reportKeys;
      this.listing = listing;
    }

    @Override
    public PCollectionTuple expand(PCollection<ReportRequests.Entry> requests) {
      PCollectionTuple listed =
          requests
              .apply("Requests", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.strings())).via(ReportRequests::requestOf))
              .apply("ResolveReports", ParDo.of(new SegmentDownloads.ResolveReports(client, reportKeys)))
              .setCoder(SerializableCoder.of(SegmentDownloads.ReportRef.class))
              .apply(
                  "ListInstances",
                  ParDo.of(listing)
                      .withSideInputs(listing.sideInputs())
                      .withOutputTags(SegmentDownloads.ListInstances.LISTED, TupleTagList.of(SegmentDownloads.ListInstances.OLDEST)));
      listed.get(SegmentDownloads.ListInstances.LISTED).setCoder(SerializableCoder.of(SegmentDownloads.InstanceRef.class));
      listed.get(SegmentDownloads.ListInstances.OLDEST).setCoder(KvCoder.of(VarLongCoder.of(), SerializableCoder.of(LocalDate.class)));
      return listed;
    }
  }
}
