package io.analyticsetl.pipelines.appstore;

import io.analyticsetl.common.deadletter.DeadLetter;
import io.analyticsetl.common.ledger.RunSignals;
import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.sink.DatasetSink;
import io.analyticsetl.common.sink.PartitionWriter;
import io.analyticsetl.common.sink.Writable;
import io.analyticsetl.common.values.DayRange;
import io.analyticsetl.common.values.Rows;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Curates one report from the raw zone for the metric days in a range. The raw zone is already
 * grouped by app and processing date, so only file names are shuffled: each app's segments are
 * read together, newest processing date first, and for every metric day only the rows of the
 * latest processing date that has rows for it survive (Apple's restatement rule). The result is
 * each partition's whole content, {@code dt=<metric_date>/app_id=<id>}, which replaces it in the sink.
 *
 * <p>A sink that can replace a partition on its own (Parquet) writes each app's partitions as soon
 * as they are curated, in the same step: the DirectRunner keeps a step's whole output in memory
 * until the next step runs, so handing curated rows on would hold all of them at once.
 */
final class CurateReports extends PTransform<PBegin, PCollection<DeadLetter>> {

  static final TupleTag<KV<String, Iterable<Row>>> PARTITIONS = new TupleTag<>() {};
  static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};
  static final String SUPERSEDED = "superseded by a later processing date";
  static final String OUTSIDE = "metric date outside the days curated";

  private final String rawRoot;
  private final AppleReport report;
  private final Set<Long> apps;
  private final DayRange days;
  private final boolean olderDaysHeld;
  private final DatasetSink sink;
  private final PCollection<?> after;

  CurateReports(String rawRoot, AppleReport report, Set<Long> apps, DayRange days, DatasetSink sink) {
    this(rawRoot, report, apps, days, false, sink, null);
  }

  private CurateReports(
      String rawRoot, AppleReport report, Set<Long> apps, DayRange days, boolean olderDaysHeld, DatasetSink sink,
      PCollection<?> after) {
    super("Curate_" + report.key());
    this.rawRoot = rawRoot;
    this.report = report;
    this.apps = apps;
    this.days = days;
    this.olderDaysHeld = olderDaysHeld;
    this.sink = sink;
    this.after = after;
  }

  /** Curates only once {@code signal} is complete (the segments this run lands). */
  CurateReports after(PCollection<?> signal) {
    return new CurateReports(rawRoot, report, apps, days, olderDaysHeld, sink, signal);
  }

  /**
   * Also curates the metric days before the range that the instances processed in it hold: Apple's
   * corrections of days it published long ago. Every instance processed from the range's first day on
   * is read, so for a day any of them holds, the newest instance holding it is among them: the
   * restatement rule's winner.
   */
  CurateReports withOlderDaysHeld() {
    return new CurateReports(rawRoot, report, apps, days, true, sink, after);
  }

  @Override
  public PCollection<DeadLetter> expand(PBegin begin) {
    PCollection<String> reportKey = begin.apply("Report", Create.of(report.key()));
    if (after != null) {
      reportKey = reportKey.apply("AfterLanding", Wait.on(after)).setCoder(StringUtf8Coder.of());
    }
    Dataset dataset = report.dataset();
    PartitionWriter writer = sink.partitionWriter(dataset).orElse(null);
    PCollectionTuple curated =
        reportKey
            .apply("ListRawSegments", ParDo.of(new RawZone.ListFiles(rawRoot, "*.tsv.gz", apps, days.first())))
            .setCoder(KvCoder.of(VarLongCoder.of(), SerializableCoder.of(RawZone.RawFile.class)))
            .apply("GroupByApp", GroupByKey.create())
            .apply(
                "RestatementRule",
                ParDo.of(new CurateApp(report, days, olderDaysHeld, writer)).withOutputTags(PARTITIONS, TupleTagList.of(DEAD_LETTERS)));
    PCollection<KV<String, Iterable<Row>>> partitions =
        curated
            .get(PARTITIONS)
            .setCoder(KvCoder.of(StringUtf8Coder.of(), IterableCoder.of(SchemaCoder.of(dataset.beamSchema()))));
    if (writer == null) {
      partitions.apply("Write_" + dataset.name(), sink.writeGrouped(dataset));
    }
    return curated.get(DEAD_LETTERS).setCoder(SerializableCoder.of(DeadLetter.class));
  }

  private static final class CurateApp extends DoFn<KV<Long, Iterable<RawZone.RawFile>>, KV<String, Iterable<Row>>> {
    private final AppleReport report;
    private final DayRange days;
    private final boolean olderDaysHeld;
    private final PartitionWriter writer; // null: the partitions are output for the sink's own write
    private final StageCounters stage;

    CurateApp(AppleReport report, DayRange days, boolean olderDaysHeld, PartitionWriter writer) {
      this.report = report;
      this.days = days;
      this.olderDaysHeld = olderDaysHeld;
      this.writer = writer;
      this.stage = StageCounters.of("read_raw_" + report.key());
    }

    @ProcessElement
    public void process(@Element KV<Long, Iterable<RawZone.RawFile>> app, MultiOutputReceiver out)
        throws IOException {
      List<RawZone.RawFile> files = new ArrayList<>();
      app.getValue().forEach(files::add);
      files.sort(
          Comparator.comparing(RawZone.RawFile::processingDate).reversed().thenComparing(RawZone.RawFile::name));

      Map<LocalDate, LocalDate> winner = new HashMap<>();
      TreeMap<LocalDate, List<Row>> kept = new TreeMap<>();
      for (RawZone.RawFile file : files) {
        // A segment counts only if it can be read to the end: a truncated file adds nothing.
        List<Row> rows = new ArrayList<>();
        List<DeadLetter> unparseable = new ArrayList<>();
        List<String> drift = new ArrayList<>();
        try (InputStream in =
            new GZIPInputStream(Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(file.path(), false))), 1 << 16)) {
          SegmentParser.parse(
              report,
              in,
              file.processingDate(),
              new SegmentParser.Receiver() {
                @Override
                public void row(Row row) {
                  rows.add(row);
                }

                @Override
                public void unparseable(String line, String error) {
                  unparseable.add(DeadLetter.of(stage.stage(), file.path(), line, error));
                }

                @Override
                public void drift(String description) {
                  drift.add(description);
                }
              });
        } catch (IOException | RuntimeException e) {
          // The file stays in the raw zone; the run says so and fails after writing the rest.
          stage.read();
          stage.deadLettered();
          out.get(DEAD_LETTERS)
              .output(DeadLetter.of(stage.stage(), file.path(), "", "segment could not be read: " + e.getMessage()));
          RunSignals.failRun("raw segments of " + report.key() + " could not be read");
          continue;
        }
        drift.forEach(d -> RunSignals.note("schema drift in " + report.key() + ": " + d));
        for (DeadLetter letter : unparseable) {
          stage.read();
          stage.deadLettered();
          out.get(DEAD_LETTERS).output(letter);
        }
        for (Row row : rows) {
          stage.read();
          LocalDate day = row.getLogicalTypeValue("metric_date", LocalDate.class);
          if (day.isAfter(days.last()) || (day.isBefore(days.first()) && !olderDaysHeld)) {
            stage.filtered(OUTSIDE);
            continue;
          }
          LocalDate latest = winner.putIfAbsent(day, file.processingDate());
          if (latest != null && !latest.equals(file.processingDate())) {
            stage.filtered(SUPERSEDED);
            continue;
          }
          String unwritable = Writable.problem(report.dataset(), row);
          if (unwritable != null) {
            stage.deadLettered();
            out.get(DEAD_LETTERS).output(DeadLetter.of(stage.stage(), file.path(), Rows.toJson(row), "cannot be written: " + unwritable));
            continue;
          }
          stage.written();
          kept.computeIfAbsent(day, d -> new ArrayList<>()).add(row);
        }
      }
      for (Map.Entry<LocalDate, List<Row>> partition : kept.entrySet()) {
        String path = "dt=" + partition.getKey() + "/app_id=" + app.getKey();
        if (writer != null) {
          writer.write(path, partition.getValue());
        } else {
          out.get(PARTITIONS).output(KV.of(path, partition.getValue()));
        }
      }
    }
  }
}
