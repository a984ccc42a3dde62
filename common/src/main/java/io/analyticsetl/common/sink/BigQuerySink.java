package io.analyticsetl.common.sink;

import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TimePartitioning;
import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.schema.BigQueryForm;
import io.analyticsetl.common.schema.Column;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.schema.WriteMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryHelpers;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.CreateDisposition;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.SchemaUpdateOption;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.WriteDisposition;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryOptions;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServicesImpl;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryStorageApiInsertError;
import org.apache.beam.sdk.io.gcp.bigquery.RowMutationInformation;
import org.apache.beam.sdk.io.gcp.bigquery.RowMutationInformation.MutationType;
import org.apache.beam.sdk.io.gcp.bigquery.TableDestination;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.values.ValueInSingleWindow;

/**
 * Tables {@code <project>:<dataset>.<name>}, day-partitioned on the dataset's date column.
 *
 * <p>Load jobs (the default for replaced partitions and full rebuilds): a run replaces exactly the
 * partitions it writes, each row going to its day's partition decorator ({@code table$20260301})
 * with {@code WRITE_TRUNCATE}, so other days are untouched; a full rebuild truncates the table. A
 * dataset partitioned by day and app shares each day's partition among its apps, so the stored rows of
 * the other apps of the days a run writes are loaded again beside the run's.
 *
 * <p>Storage Write API (always for upserted datasets, and for replaced partitions with {@link
 * WriteMethod#STORAGE_WRITE_API}): the table gets the natural key as its primary key and every row is
 * a change-data-capture {@code UPSERT} whose change sequence number is the run's start, so a later
 * run's row replaces an earlier one whatever order BigQuery applies them in. Load jobs cannot upsert
 * and the Storage Write API cannot truncate, hence the split.
 *
 * <p>Beam's fake BigQuery services refuse partition decorators, so {@link #withTestServices}
 * writes to the base table; {@link #destination} (the decorator logic) is tested on its own.
 */
public final class BigQuerySink implements DatasetSink {

  /** {@code --bigQueryWriteMethod}: how rows of datasets that replace partitions reach BigQuery. */
  public enum WriteMethod {
    FILE_LOADS,
    STORAGE_WRITE_API;

    public static WriteMethod parse(String value) {
      for (WriteMethod method : values()) {
        if (method.name().equalsIgnoreCase(value)) {
          return method;
        }
      }
      throw new InvalidOptionException(
          "bigQueryWriteMethod", "must be file_loads or storage_write_api, got \"" + value + "\"");
    }
  }

  private final String project;
  private final String bigQueryDataset;
  private final WriteMethod method;
  private final BigQueryServices testServices;

  /**
   * @param bigQueryDataset the BigQuery dataset, or null for the dataset's domain name
   */
  public BigQuerySink(String project, String bigQueryDataset, WriteMethod method) {
    this(project, bigQueryDataset, method, null);
  }

  private BigQuerySink(String project, String bigQueryDataset, WriteMethod method, BigQueryServices testServices) {
    this.project = project;
    this.bigQueryDataset = bigQueryDataset;
    this.method = method;
    this.testServices = testServices;
  }

  /** Beam's fake services (tests only): no partition decorators, since the fakes refuse them. */
  public BigQuerySink withTestServices(BigQueryServices services) {
    return new BigQuerySink(project, bigQueryDataset, method, services);
  }

  @Override
  public String kind() {
    return "bigquery";
  }

  /** {@code project:dataset.table} of a dataset. */
  public String tableSpec(Dataset dataset) {
    return project + ":" + (bigQueryDataset == null ? dataset.domain() : bigQueryDataset) + "." + dataset.tableName();
  }

  /**
   * Where a row goes: its day's partition of the table for partitioned datasets that replace
   * partitions, else the table.
   */
  public static TableDestination destination(String tableSpec, Dataset dataset, Row row, boolean decorators) {
    TimePartitioning partitioning = BigQueryForm.timePartitioning(dataset).orElse(null);
    String spec = perPartition(dataset, decorators) ? tableSpec + BigQueryForm.partitionDecorator(dataset, row) : tableSpec;
    return new TableDestination(
        spec, dataset.description(), partitioning, BigQueryForm.clustering(dataset).orElse(null));
  }

  private static boolean perPartition(Dataset dataset, boolean decorators) {
    return decorators && BigQueryForm.timePartitioning(dataset).isPresent() && dataset.writeMode() != WriteMode.FULL_REBUILD;
  }

  /** True when the dataset's rows are upserted through the Storage Write API. */
  public boolean upserts(Dataset dataset) {
    return dataset.writeMode() == WriteMode.UPSERT
        || (method == WriteMethod.STORAGE_WRITE_API
            && dataset.writeMode() == WriteMode.REPLACE_PARTITIONS
            && !dataset.naturalKey().isEmpty());
  }

  @Override
  public PTransform<PCollection<Row>, PDone> write(Dataset dataset) {
    return changesTo(dataset, null, null);
  }

  /**
   * Loads as {@link #write(Dataset)} does, then, once the loads are in, deletes the partition of each
   * day of {@code days} the run has no rows for, since a load job replaces only the partitions it
   * loads rows into. Datasets sent through the Storage Write API cannot have a day emptied and are
   * written as {@link #write(Dataset)} writes them.
   */
  @Override
  public PTransform<PCollection<Row>, PDone> writeReplacingDays(Dataset dataset, PCollection<LocalDate> days) {
    DatasetSink.checkReplacesDays(dataset);
    return changesTo(dataset, null, upserts(dataset) ? null : days);
  }

  /** Deletions are change records of type {@code DELETE}, ordered against the upserts by version. */
  @Override
  public PTransform<PCollection<Row>, PDone> upsert(Dataset dataset, PCollection<Row> deletions) {
    DatasetSink.checkUpserts(dataset);
    return changesTo(dataset, deletions, null);
  }

  private PTransform<PCollection<Row>, PDone> changesTo(Dataset dataset, PCollection<Row> deletions, PCollection<LocalDate> replacedDays) {
    String spec = tableSpec(dataset);
    boolean upsert = upserts(dataset);
    boolean decorators = testServices == null && !upsert;
    BigQueryServices services = testServices;
    long runStart = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    return new PTransform<>("WriteBigQuery_" + dataset.name()) {
      @Override
      public PDone expand(PCollection<Row> rows) {
        if (upsert) {
          requireUpsertableTable(spec, dataset, services, rows.getPipeline().getOptions());
        }
        StageCounters stage = StageCounters.of("write_" + dataset.name());
        PCollection<Row> incoming = rows.apply(stage.countRead()).setRowSchema(dataset.beamSchema());
        BigQueryIO.Write<Row> write = BigQueryIO.<Row>write();
        if (dataset.writeMode() == WriteMode.FULL_REBUILD) {
          // One fixed table: BigQueryIO then loads (and so truncates) it even when the run has no rows.
          write = write.to(spec).withTableDescription(dataset.description());
          write = BigQueryForm.timePartitioning(dataset).map(write::withTimePartitioning).orElse(write);
          write = BigQueryForm.clustering(dataset).map(write::withClustering).orElse(write);
        } else {
          SerializableFunction<ValueInSingleWindow<Row>, TableDestination> to =
              value -> destination(spec, dataset, value.getValue(), decorators);
          write = write.to(to);
        }
        write =
            write
                .withFormatFunction(row -> BigQueryForm.toTableRow(dataset, row))
                .withSchema(BigQueryForm.schema(dataset))
                .withCreateDisposition(CreateDisposition.CREATE_IF_NEEDED);
        if (!upsert) {
          write = write.withMethod(BigQueryIO.Write.Method.FILE_LOADS).withWriteDisposition(WriteDisposition.WRITE_TRUNCATE);
        }
        if (!upsert && perPartition(dataset, decorators)) {
          // A partition's load keeps the table's schema unless told to add the columns a later version
          // of the dataset has (truncating the whole table replaces its schema anyway).
          write = write.withSchemaUpdateOptions(EnumSet.of(SchemaUpdateOption.ALLOW_FIELD_ADDITION));
        }
        if (services != null) {
          write = write.withTestServices(services);
        }
        if (!upsert) {
          PCollection<Row> toLoad = incoming;
          if (sharesDayPartitions(dataset)) {
            toLoad =
                PCollectionList.of(incoming)
                    .and(storedRowsTheLoadWouldDrop(incoming, dataset, decorators))
                    .apply("WithStoredRowsKept", Flatten.pCollections())
                    .setRowSchema(dataset.beamSchema());
          }
          PCollection<?> loaded = toLoad.apply("Load", write).getSuccessfulTableLoads();
          countWritten(incoming, List.of(loaded), stage);
          if (replacedDays != null) {
            emptyDaysWithoutRows(incoming, loaded, dataset, replacedDays, spec, services);
          }
          return PDone.in(rows.getPipeline());
        }
        List<PCollection<?>> applied = new ArrayList<>();
        applied.add(changes(incoming, "Upsert", write, MutationType.UPSERT, dataset, runStart, spec));
        if (deletions != null) {
          applied.add(changes(deletions, "Delete", write, MutationType.DELETE, dataset, runStart, spec));
        }
        countWritten(incoming, applied, stage);
        return PDone.in(rows.getPipeline());
      }
    };
  }

  /**
   * True for a dataset whose day partitions hold several of its partitions (e.g. one per app, {@code
   * dt=.../app_id=...}): BigQuery partitions by day alone, so loading one app's rows of a day would
   * truncate the other apps' rows of that day.
   */
  private boolean sharesDayPartitions(Dataset dataset) {
    return dataset.writeMode() == WriteMode.REPLACE_PARTITIONS && dataset.partitionKeys().size() > 1 && !upserts(dataset);
  }

  /**
   * The rows already in the table that a run's load would truncate without replacing them: those of
   * the partitions the run does not write, on the days it writes (on every day when the load
   * truncates the whole table, as it does on the fakes). They are loaded again beside the run's rows.
   * Reading them exports the table.
   */
  private PCollection<Row> storedRowsTheLoadWouldDrop(PCollection<Row> incoming, Dataset dataset, boolean decorators) {
    String dayColumn = DatasetSink.dayColumn(dataset);
    PCollectionView<Map<String, String>> written =
        incoming
            .apply(
                "PartitionsWritten",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                    .via(row -> KV.of(dataset.partitionPath(row), row.getLogicalTypeValue(dayColumn, LocalDate.class).toString())))
            .apply("DistinctPartitionsWritten", Distinct.create())
            .apply("PartitionsWrittenView", View.asMap());
    return incoming
        .getPipeline()
        .apply("ReadStored", read(dataset))
        .apply("KeepOtherPartitions", ParDo.of(new KeepOtherPartitions(dataset, decorators, written)).withSideInputs(written))
        .setRowSchema(dataset.beamSchema());
  }

  static final class KeepOtherPartitions extends DoFn<Row, Row> {
    private final Dataset dataset;
    private final String dayColumn;
    private final boolean onWrittenDaysOnly;
    private final PCollectionView<Map<String, String>> written; // partition path -> its day
    private transient Set<String> writtenDays;

    KeepOtherPartitions(Dataset dataset, boolean onWrittenDaysOnly, PCollectionView<Map<String, String>> written) {
      this.dataset = dataset;
      this.dayColumn = DatasetSink.dayColumn(dataset);
      this.onWrittenDaysOnly = onWrittenDaysOnly;
      this.written = written;
    }

    @ProcessElement
    public void process(@Element Row stored, ProcessContext context) {
      Map<String, String> writtenPartitions = context.sideInput(written);
      if (writtenDays == null) {
        writtenDays = new HashSet<>(writtenPartitions.values());
      }
      boolean onWrittenDay = writtenDays.contains(stored.getLogicalTypeValue(dayColumn, LocalDate.class).toString());
      if (!writtenPartitions.containsKey(dataset.partitionPath(stored)) && (onWrittenDay || !onWrittenDaysOnly)) {
        context.output(stored);
      }
    }
  }

  /**
   * Applies rows as change records of one type through the Storage Write API; a change's sequence
   * number is its row's version column (else the run's start), in microseconds, so newer versions win.
   */
  private static PCollection<Void> changes(
      PCollection<Row> rows, String name, BigQueryIO.Write<Row> write, MutationType type, Dataset dataset, long runStart, String spec) {
    String version = dataset.versionColumn().orElse(null);
    return rows
        .apply(name,
            write
                .withMethod(BigQueryIO.Write.Method.STORAGE_API_AT_LEAST_ONCE)
                .withPrimaryKey(dataset.naturalKey())
                .withRowMutationInformationFn(row -> RowMutationInformation.of(type,
                    version == null ? runStart : ChronoUnit.MICROS.between(Instant.EPOCH, row.getLogicalTypeValue(version, Instant.class))))
                .withWriteDisposition(WriteDisposition.WRITE_APPEND))
        .getFailedStorageApiInserts()
        .apply(name + "Refused", ParDo.of(new FailOnRefusedRow(spec)));
  }

  private static void emptyDaysWithoutRows(
      PCollection<Row> rows, PCollection<?> loaded, Dataset dataset, PCollection<LocalDate> days, String spec, BigQueryServices services) {
    String dayColumn = DatasetSink.dayColumn(dataset);
    PCollectionView<List<String>> written =
        rows.apply("DaysWritten", MapElements.into(TypeDescriptors.strings()).via(row -> row.getLogicalTypeValue(dayColumn, LocalDate.class).toString()))
            .apply("DistinctDaysWritten", Distinct.create())
            .apply("DaysWrittenView", View.asList());
    days.apply("ReplacedDays", MapElements.into(TypeDescriptors.strings()).via(LocalDate::toString))
        .apply("AfterLoads", Wait.on(loaded))
        .apply("DeletePartitionsWithoutRows", ParDo.of(new DeletePartitionWithoutRows(spec, services, written)).withSideInputs(written));
  }

  /** Deletes a day's partition ({@code table$20260301}) when the run has no rows for that day. */
  private static final class DeletePartitionWithoutRows extends DoFn<String, Void> {
    private final String spec;
    private final BigQueryServices services;
    private final PCollectionView<List<String>> written;

    DeletePartitionWithoutRows(String spec, BigQueryServices services, PCollectionView<List<String>> written) {
      this.spec = spec;
      this.services = services;
      this.written = written;
    }

    @ProcessElement
    public void process(@Element String day, ProcessContext context) throws Exception {
      if (new HashSet<>(context.sideInput(written)).contains(day)) {
        return;
      }
      TableReference table = BigQueryHelpers.parseTableSpec(spec);
      try (BigQueryServices.DatasetService datasets = datasetService(services, context.getPipelineOptions())) {
        if (datasets.getTable(table) == null) {
          return; // no table, nothing to empty
        }
        datasets.deleteTable(table.clone().setTableId(table.getTableId() + "$" + day.replace("-", "")));
      }
    }
  }

  private static void countWritten(PCollection<Row> incoming, List<PCollection<?>> done, StageCounters stage) {
    incoming
        .apply("CountRows", Count.globally())
        .apply("AfterWrites", Wait.on(done.toArray(PCollection<?>[]::new)))
        .apply("CountWritten", ParDo.of(new CountWritten(stage)));
  }

  /**
   * A row BigQuery refused (e.g. a value its column cannot hold) fails the run with BigQuery's
   * reason rather than going missing.
   */
  private static final class FailOnRefusedRow extends DoFn<BigQueryStorageApiInsertError, Void> {
    private final String table;

    FailOnRefusedRow(String table) {
      this.table = table;
    }

    @ProcessElement
    public void process(@Element BigQueryStorageApiInsertError error) {
      throw new IllegalStateException("BigQuery refused a row of " + table + ": " + error.getErrorMessage());
    }
  }

  /**
   * The rows already in the table (none when the table does not exist yet), read with an export
   * job: a real run needs a {@code gs://} --tempLocation.
   */
  @Override
  public PTransform<PBegin, PCollection<Row>> read(Dataset dataset) {
    String spec = tableSpec(dataset);
    BigQueryServices services = testServices;
    return new PTransform<>("ReadBigQuery_" + dataset.name()) {
      @Override
      public PCollection<Row> expand(PBegin begin) {
        if (!tableExists(spec, services, begin.getPipeline().getOptions())) {
          return begin.apply("NoTableYet", Create.empty(SchemaCoder.of(dataset.beamSchema())));
        }
        BigQueryIO.TypedRead<TableRow> read = BigQueryIO.readTableRows().from(spec).withoutValidation();
        if (services != null) {
          read = read.withTestServices(services);
        }
        return begin
            .apply("Export", read)
            .apply(
                "ToRows",
                MapElements.into(TypeDescriptors.rows())
                    .via(tableRow -> BigQueryForm.fromTableRow(dataset, tableRow)))
            .setRowSchema(dataset.beamSchema());
      }
    };
  }

  /**
   * Upserts need the table's primary key; a table made by load jobs (or by hand) may have none,
   * and BigQuery would refuse every row, so the run stops before it starts, saying what to run.
   */
  /**
   * Upserts go to an existing table as it is: it needs the natural key as its primary key and every
   * column of the dataset (one an earlier version's table lacks is named, with the statement that
   * adds it).
   */
  private static void requireUpsertableTable(String spec, Dataset dataset, BigQueryServices services, PipelineOptions options) {
    Table table = table(spec, services, options);
    if (table == null) {
      return;
    }
    TableReference ref = BigQueryHelpers.parseTableSpec(spec);
    String name = "`" + ref.getProjectId() + "." + ref.getDatasetId() + "." + ref.getTableId() + "`";
    boolean keyed =
        table.getTableConstraints() != null
            && table.getTableConstraints().getPrimaryKey() != null
            && !table.getTableConstraints().getPrimaryKey().getColumns().isEmpty();
    if (!keyed) {
      throw new IllegalStateException(
          "BigQuery table " + spec + " has no primary key, which upserts need; add it with: ALTER TABLE " + name
              + " ADD PRIMARY KEY (" + String.join(", ", dataset.naturalKey()) + ") NOT ENFORCED");
    }
    Set<String> existing = new HashSet<>();
    if (table.getSchema() != null && table.getSchema().getFields() != null) {
      table.getSchema().getFields().forEach(field -> existing.add(field.getName().toLowerCase(Locale.ROOT)));
    }
    List<Column> missing = dataset.columns().stream().filter(c -> !existing.contains(c.name())).toList();
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "BigQuery table " + spec + " lacks column(s) this version writes; add them with: ALTER TABLE " + name + " "
              + String.join(", ", missing.stream().map(c -> "ADD COLUMN " + c.name() + " " + BigQueryForm.type(c)).toList()));
    }
  }

  private static boolean tableExists(String spec, BigQueryServices services, PipelineOptions options) {
    return table(spec, services, options) != null;
  }

  private static Table table(String spec, BigQueryServices services, PipelineOptions options) {
    TableReference table = BigQueryHelpers.parseTableSpec(spec);
    try (BigQueryServices.DatasetService datasets = datasetService(services, options)) {
      return datasets.getTable(table);
    } catch (Exception e) {
      throw new IllegalStateException("cannot look up BigQuery table " + spec + ": " + e.getMessage(), e);
    }
  }

  /** BigQuery's dataset service, or the test services' when there are some. */
  private static BigQueryServices.DatasetService datasetService(BigQueryServices services, PipelineOptions options) {
    return (services != null ? services : new BigQueryServicesImpl()).getDatasetService(options.as(BigQueryOptions.class));
  }
}
