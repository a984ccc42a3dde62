package io.analyticsetl.common.sink;

import io.analyticsetl.common.io.Locations;
import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.schema.AvroForm;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.schema.WriteMode;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.WriteFilesResult;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Parquet files under {@code <outputRoot>/<domain>/<dataset>/<partition>/part-<runId>-*.parquet},
 * on local disk or any Beam file system (S3). A run writes new files named after its run id and
 * then deletes the other files of the partitions it wrote, which is how a partition is replaced:
 * for {@link WriteMode#UPSERT} the partitions are first merged with their existing rows on the
 * natural key, for {@link WriteMode#FULL_REBUILD} every other file of the dataset goes.
 */
public final class ParquetSink implements DatasetSink {

  /** The key AvroReadSupport.setAvroReadSchema sets (its constant is private). */
  private static final String AVRO_READ_SCHEMA = "parquet.avro.read.schema";

  private final String outputRoot;
  private final String runId;
  private final int shardsPerPartition;

  public ParquetSink(String outputRoot, String runId) {
    this(outputRoot, runId, 1);
  }

  public ParquetSink(String outputRoot, String runId, int shardsPerPartition) {
    this.outputRoot = Locations.normalizeRoot(outputRoot);
    this.runId = runId;
    this.shardsPerPartition = shardsPerPartition;
  }

  @Override
  public String kind() {
    return "parquet";
  }

  /** The folder holding a dataset's partitions. */
  public static String datasetDirectory(String outputRoot, Dataset dataset) {
    return Locations.join(Locations.normalizeRoot(outputRoot), dataset.relativePath());
  }

  /** A glob matching every data file of a dataset (one folder level per partition key). */
  static String allFilesGlob(String directory, Dataset dataset) {
    return directory + "/" + "*/".repeat(dataset.partitionKeys().size()) + "*.parquet";
  }

  @Override
  public PTransform<PCollection<Row>, PDone> write(Dataset dataset) {
    return new Write(datasetDirectory(outputRoot, dataset), dataset, runId, shardsPerPartition, null, null);
  }

  @Override
  public PTransform<PCollection<Row>, PDone> writeReplacingDays(Dataset dataset, PCollection<LocalDate> days) {
    DatasetSink.checkReplacesDays(dataset);
    return new Write(datasetDirectory(outputRoot, dataset), dataset, runId, shardsPerPartition, days, null);
  }

  /** The partitions holding rows to delete are merged and rewritten like those the run writes to. */
  @Override
  public PTransform<PCollection<Row>, PDone> upsert(Dataset dataset, PCollection<Row> deletions) {
    DatasetSink.checkUpserts(dataset);
    return new Write(datasetDirectory(outputRoot, dataset), dataset, runId, shardsPerPartition, null, deletions);
  }

  @Override
  public PTransform<PBegin, PCollection<Row>> read(Dataset dataset) {
    return new Read(datasetDirectory(outputRoot, dataset), dataset, null);
  }

  /** Only the files of partitions {@code dt=<firstDay>} and later are opened. */
  @Override
  public PTransform<PBegin, PCollection<Row>> read(Dataset dataset, LocalDate firstDay) {
    DatasetSink.dayColumn(dataset);
    return new Read(datasetDirectory(outputRoot, dataset), dataset, firstDay);
  }

  /** Opens every file of the dataset but reads only the key and day columns of each. */
  @Override
  public PTransform<PBegin, PCollection<KV<Long, LocalDate>>> lastDays(Dataset dataset, String keyColumn) {
    String dayColumn = DatasetSink.checkKeyedByDay(dataset, keyColumn);
    String directory = datasetDirectory(outputRoot, dataset);
    return new PTransform<>("LastDaysParquet_" + dataset.name()) {
      @Override
      public PCollection<KV<Long, LocalDate>> expand(PBegin begin) {
        Schema keyAndDay = AvroForm.projection(dataset, List.of(keyColumn, dayColumn));
        return begin
            .apply("Glob", Create.of(allFilesGlob(directory, dataset)))
            .apply("Match", FileIO.matchAll().withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW))
            .apply("Open", FileIO.readMatches())
            .apply("ReadKeyAndDay", ParquetIO.readFiles(keyAndDay).withConfiguration(projectedRead(keyAndDay)))
            .setCoder(AvroCoder.of(GenericRecord.class, keyAndDay))
            .apply(
                "KeyDay",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptor.of(LocalDate.class)))
                    .via(record -> KV.of(
                        (Long) AvroForm.value(dataset, keyColumn, record), (LocalDate) AvroForm.value(dataset, dayColumn, record))))
            .setCoder(KEY_DAY_CODER)
            .apply("Latest", Max.perKey());
      }
    };
  }

  /** Hadoop settings reading records of {@code schema}, whatever columns the files hold beyond it. */
  private static Map<String, String> projectedRead(Schema schema) {
    return Map.of(AVRO_READ_SCHEMA, schema.toString(), AvroReadSupport.AVRO_REQUESTED_PROJECTION, schema.toString());
  }

  /**
   * Writes a partition's rows straight into its own file, no shuffle: a new file under the run's
   * name (written as {@code _<name>.inprogress}, then renamed), then the partition's other files deleted.
   */
  @Override
  public Optional<PartitionWriter> partitionWriter(Dataset dataset) {
    if (dataset.writeMode() != WriteMode.REPLACE_PARTITIONS) {
      return Optional.empty();
    }
    return Optional.of(new PartitionFileWriter(datasetDirectory(outputRoot, dataset), dataset, "part-" + runId));
  }

  private static final class PartitionFileWriter implements PartitionWriter {
    private final String directory;
    private final Dataset dataset;
    private final String filePrefix;
    private final StageCounters stage;
    private transient Schema avroSchema;
    // Parsed once: a Configuration of its own per file re-reads Hadoop's XML defaults every time,
    // which took a quarter of the CPU when curating a few thousand small partitions.
    private transient Configuration hadoopConfiguration;

    PartitionFileWriter(String directory, Dataset dataset, String filePrefix) {
      this.directory = directory;
      this.dataset = dataset;
      this.filePrefix = filePrefix;
      this.stage = StageCounters.of("write_" + dataset.name());
    }

    @Override
    public void write(String partition, Iterable<Row> rows) throws IOException {
      if (avroSchema == null) {
        avroSchema = AvroForm.schema(dataset);
        hadoopConfiguration = new Configuration();
      }
      String folder = directory + "/" + partition;
      String name = filePrefix + "-00000-of-00001.parquet";
      // "_" first: query engines (Athena, Spark, Hive) skip such files, so one an interrupted run left
      // behind is never read as Parquet; the next write of the partition deletes it.
      ResourceId inProgress = FileSystems.matchNewResource(folder + "/_" + name + ".inprogress", false);
      ResourceId file = FileSystems.matchNewResource(folder + "/" + name, false);
      long written = 0;
      FileIO.Sink<GenericRecord> sink = parquetFile(avroSchema).withConfiguration(hadoopConfiguration);
      try (WritableByteChannel channel = FileSystems.create(inProgress, "application/octet-stream")) {
        sink.open(channel);
        for (Row row : rows) {
          stage.read();
          sink.write(AvroForm.toRecord(dataset, avroSchema, row));
          written++;
        }
        sink.flush();
      }
      FileSystems.rename(List.of(inProgress), List.of(file));
      DeleteFilesOfOtherRuns others = new DeleteFilesOfOtherRuns(filePrefix);
      others.process(folder + "/*.parquet");
      others.process(folder + "/*.inprogress"); // earlier versions named them without the "_"
      stage.written(written);
    }
  }

  private static final class Write extends PTransform<PCollection<Row>, PDone> {
    private final String directory;
    private final Dataset dataset;
    private final String runId;
    private final int shards;
    private final PCollection<LocalDate> replacedDays;
    private final transient PCollection<Row> deletions;

    /**
     * {@code replacedDays}: days whose old files go even when the run writes none there (or null);
     * {@code deletions}: stored rows to delete by natural key (or null).
     */
    Write(String directory, Dataset dataset, String runId, int shards, PCollection<LocalDate> replacedDays, PCollection<Row> deletions) {
      super("WriteParquet_" + dataset.name());
      this.directory = directory;
      this.dataset = dataset;
      this.runId = runId;
      this.shards = shards;
      this.replacedDays = replacedDays;
      this.deletions = deletions;
    }

    @Override
    public PDone expand(PCollection<Row> rows) {
      Dataset ds = dataset;
      StageCounters stage = StageCounters.of("write_" + ds.name());
      PCollection<Row> incoming = rows.apply(stage.countRead()).setRowSchema(ds.beamSchema());
      String dir = directory;
      // The partitions the run writes to or deletes from: a partition whose every row is deleted gets
      // no new file, but its old ones still go.
      PCollection<String> touchedPartitions = null;
      if (ds.writeMode() != WriteMode.FULL_REBUILD) {
        PCollection<Row> touched =
            deletions == null
                ? incoming
                : PCollectionList.of(incoming).and(deletions).apply("WrittenOrDeleted", Flatten.pCollections()).setRowSchema(ds.beamSchema());
        touchedPartitions =
            touched
                .apply("TouchedPartitions", MapElements.into(TypeDescriptors.strings()).via(row -> dir + "/" + ds.partitionPath(row) + "/*.parquet"))
                .apply("DistinctTouched", Distinct.create());
      }

      PCollection<Row> toWrite =
          ds.writeMode() == WriteMode.UPSERT
              ? incoming.apply("MergeWithExisting", new MergeWithExisting(ds, touchedPartitions, deletions))
              : incoming;

      Schema avroSchema = AvroForm.schema(ds);
      String filePrefix = "part-" + runId;
      WriteFilesResult<String> files =
          toWrite.apply(
              "WriteFiles",
              FileIO.<String, Row>writeDynamic()
                  .by(ds::partitionPath)
                  .withDestinationCoder(StringUtf8Coder.of())
                  .via(
                      Contextful.fn(row -> AvroForm.toRecord(ds, avroSchema, row)),
                      parquetFile(avroSchema))
                  .to(directory)
                  .withNaming(
                      partition ->
                          FileIO.Write.defaultNaming(
                              partition.isEmpty() ? filePrefix : partition + "/" + filePrefix,
                              ".parquet"))
                  .withNumShards(shards));
      PCollection<KV<String, String>> written = files.getPerDestinationOutputFilenames();

      PCollection<String> replacedScopes;
      if (ds.writeMode() == WriteMode.FULL_REBUILD) {
        replacedScopes = rows.getPipeline().apply("WholeDataset", Create.of(allFilesGlob(directory, ds)));
      } else if (replacedDays == null) {
        replacedScopes = touchedPartitions;
      } else {
        PCollection<String> days =
            replacedDays.apply("ReplacedDays", MapElements.into(TypeDescriptors.strings())
                .via(day -> dir + "/" + ds.dayPartitionPath(day) + "/*.parquet"));
        replacedScopes =
            PCollectionList.of(touchedPartitions).and(days)
                .apply("WrittenOrReplaced", Flatten.pCollections())
                .apply("DistinctPartitions", Distinct.create());
      }
      replacedScopes
          .apply("AfterWrite", Wait.on(written))
          .apply("DeleteFilesOfOtherRuns", ParDo.of(new DeleteFilesOfOtherRuns(filePrefix)));

      incoming
          .apply("CountRows", Count.globally())
          .apply("AfterFilesWritten", Wait.on(written))
          .apply("CountWritten", ParDo.of(new CountWritten(stage)));
      return PDone.in(rows.getPipeline());
    }
  }

  /** The partition folder name ({@code dt}) whose values are the dataset's days. */
  private static String dayPartitionName(Dataset dataset) {
    String column = DatasetSink.dayColumn(dataset);
    return dataset.partitionKeys().stream()
        .filter(key -> key.column().equals(column))
        .map(Dataset.PartitionKey::name)
        .findFirst()
        .orElseThrow();
  }

  private static ParquetIO.Sink parquetFile(Schema avroSchema) {
    return ParquetIO.sink(avroSchema).withCompressionCodec(CompressionCodecName.SNAPPY);
  }

  /** Deletes the files matching a glob that another run wrote. */
  static final class DeleteFilesOfOtherRuns extends DoFn<String, Void> {
    private final String keepPrefix;

    DeleteFilesOfOtherRuns(String keepPrefix) {
      this.keepPrefix = keepPrefix;
    }

    @ProcessElement
    public void process(@Element String glob) throws IOException {
      MatchResult match = FileSystems.match(glob, EmptyMatchTreatment.ALLOW);
      List<ResourceId> stale = new ArrayList<>();
      for (MatchResult.Metadata file : match.metadata()) {
        if (!file.resourceId().getFilename().startsWith(keepPrefix + "-")) {
          stale.add(file.resourceId());
        }
      }
      FileSystems.delete(stale, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }

  /**
   * The run's rows plus the existing rows of the partitions it touches whose natural key the run
   * does not produce again and does not delete. Grouped by partition, so memory holds one
   * partition's keys at most.
   */
  private static final class MergeWithExisting extends PTransform<PCollection<Row>, PCollection<Row>> {
    private final Dataset dataset;
    private final transient PCollection<String> touchedPartitions;
    private final transient PCollection<Row> deletions;

    /**
     * {@code touchedPartitions}: a glob of each partition the run writes to or deletes from;
     * {@code deletions}: stored rows to delete by natural key, or null.
     */
    MergeWithExisting(Dataset dataset, PCollection<String> touchedPartitions, PCollection<Row> deletions) {
      this.dataset = dataset;
      this.touchedPartitions = touchedPartitions;
      this.deletions = deletions;
    }

    @Override
    public PCollection<Row> expand(PCollection<Row> incoming) {
      Dataset ds = dataset;
      PCollection<Row> deleted =
          deletions != null ? deletions : incoming.getPipeline().apply("NoDeletions", Create.empty(SchemaCoder.of(ds.beamSchema())));
      PCollection<Row> existing = touchedPartitions.apply(new ReadFiles(ds));

      KvCoder<String, Row> byPartition = KvCoder.of(StringUtf8Coder.of(), SchemaCoder.of(ds.beamSchema()));
      TupleTag<Row> fresh = new TupleTag<>();
      TupleTag<Row> old = new TupleTag<>();
      TupleTag<Row> gone = new TupleTag<>();
      return KeyedPCollectionTuple.of(
              fresh, incoming.apply("PartitionOfNew", WithKeys.of(ds::partitionPath)).setCoder(byPartition))
          .and(old, existing.apply("PartitionOfExisting", WithKeys.of(ds::partitionPath)).setCoder(byPartition))
          .and(gone, deleted.apply("PartitionOfDeleted", WithKeys.of(ds::partitionPath)).setCoder(byPartition))
          .apply("GroupByPartition", CoGroupByKey.create())
          .apply(
              "NewRowsWinOnNaturalKey",
              ParDo.of(new NewRowsWinOnNaturalKey(ds, fresh, old, gone)))
          .setRowSchema(ds.beamSchema());
    }
  }

  /**
   * Per partition, the run's rows, then each stored row whose key the run does not write again
   * (or that holds a newer version) and that is not deleted (or is newer than its deletion).
   */
  private static final class NewRowsWinOnNaturalKey extends DoFn<KV<String, CoGbkResult>, Row> {
    private final Dataset ds;
    private final TupleTag<Row> fresh;
    private final TupleTag<Row> old;
    private final TupleTag<Row> gone;

    NewRowsWinOnNaturalKey(Dataset dataset, TupleTag<Row> fresh, TupleTag<Row> old, TupleTag<Row> gone) {
      this.ds = dataset;
      this.fresh = fresh;
      this.old = old;
      this.gone = gone;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> partition, OutputReceiver<Row> out) {
      Map<Row, Row> rows = new LinkedHashMap<>();
      for (Row row : partition.getValue().getAll(fresh)) {
        if (rows.put(ds.keyOf(row), row) != null) {
          throw new IllegalStateException("the run produced two rows of " + ds.name() + " with natural key " + ds.keyOf(row));
        }
      }
      Map<Row, Row> deletedKeys = new HashMap<>();
      for (Row row : partition.getValue().getAll(gone)) {
        deletedKeys.merge(ds.keyOf(row), row, (a, b) -> ds.isNewer(a, b) ? a : b);
      }
      // Existing duplicates (from older writers) collapse to one row here too.
      Set<Row> storedKeys = new HashSet<>();
      for (Row row : partition.getValue().getAll(old)) {
        Row key = ds.keyOf(row);
        Row deletion = deletedKeys.get(key);
        if (deletion != null && !ds.isNewer(row, deletion)) {
          continue;
        }
        Row current = rows.get(key);
        if (current == null || (!storedKeys.contains(key) && ds.isNewer(row, current))) {
          rows.put(key, row);
        }
        storedKeys.add(key);
      }
      rows.values().forEach(out::output);
    }
  }

  private static final class Read extends PTransform<PBegin, PCollection<Row>> {
    private final String directory;
    private final Dataset dataset;
    private final LocalDate firstDay;

    Read(String directory, Dataset dataset, LocalDate firstDay) {
      super("ReadParquet_" + dataset.name());
      this.directory = directory;
      this.dataset = dataset;
      this.firstDay = firstDay;
    }

    @Override
    public PCollection<Row> expand(PBegin begin) {
      return begin
          .apply("Glob", Create.of(allFilesGlob(directory, dataset)))
          .apply(new ReadFiles(dataset, firstDay));
    }
  }

  /**
   * Reads the Parquet files matching each glob (none is fine) as dataset rows; with a first day,
   * only the files under day partitions from that day on.
   */
  private static final class ReadFiles extends PTransform<PCollection<String>, PCollection<Row>> {
    private final Dataset dataset;
    private final LocalDate firstDay;

    ReadFiles(Dataset dataset) {
      this(dataset, null);
    }

    ReadFiles(Dataset dataset, LocalDate firstDay) {
      this.dataset = dataset;
      this.firstDay = firstDay;
    }

    @Override
    public PCollection<Row> expand(PCollection<String> globs) {
      Dataset ds = dataset;
      Schema avroSchema = AvroForm.schema(ds);
      PCollection<MatchResult.Metadata> files =
          globs.apply("Match", FileIO.matchAll().withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW));
      if (firstDay != null) {
        LocalDate from = firstDay;
        Pattern dayFolder = Pattern.compile("/" + Pattern.quote(dayPartitionName(ds)) + "=(\\d{4}-\\d{2}-\\d{2})/");
        files =
            files.apply(
                "FromDay",
                Filter.by(file -> {
                  // A file outside a dated folder is read rather than silently skipped.
                  Matcher day = dayFolder.matcher(file.resourceId().toString());
                  return !day.find() || !LocalDate.parse(day.group(1)).isBefore(from);
                }));
      }
      return files
          .apply("Open", FileIO.readMatches())
          // Read with the dataset's schema, not each file's: files written before a nullable column
          // was added read it as its default, null, instead of shifting the fields after it.
          .apply("ReadRecords", ParquetIO.readFiles(avroSchema)
              .withConfiguration(Map.of(AVRO_READ_SCHEMA, avroSchema.toString())))
          .setCoder(AvroCoder.of(GenericRecord.class, avroSchema))
          .apply(
              "ToRows",
              MapElements.into(TypeDescriptors.rows()).via(record -> AvroForm.toRow(ds, record)))
          .setRowSchema(ds.beamSchema());
    }
  }
}
