package io.analyticsetl.common.sink;

import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TimePartitioning;
import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.schema.BigQueryForm;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.schema.WriteMode;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryHelpers;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.CreateDisposition;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.WriteDisposition;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryOptions;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServicesImpl;
import org.apache.beam.sdk.io.gcp.bigquery.TableDestination;
import org.apache.beam.sdk.io.gcp.bigquery.WriteResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Wait;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.values.ValueInSingleWindow;

/**
 * Tables {@code <project>:<dataset>.<name>}, day-partitioned on the dataset's date column, written
 * with BigQuery load jobs. A run replaces exactly the partitions it writes: each row goes to its
 * day's partition decorator ({@code table$20260301}) with {@code WRITE_TRUNCATE}, so other days are
 * untouched; a full rebuild truncates the table.
 *
 * <p>Beam's fake BigQuery services refuse partition decorators, so {@link #withTestServices}
 * writes to the base table; {@link #destination} (the decorator logic) is tested on its own.
 */
public final class BigQuerySink implements DatasetSink {

  private final String project;
  private final String bigQueryDataset;
  private final BigQueryServices testServices;

  /**
   * @param bigQueryDataset the BigQuery dataset, or null for the dataset's domain name
   */
  public BigQuerySink(String project, String bigQueryDataset) {
    this(project, bigQueryDataset, null);
  }

  private BigQuerySink(String project, String bigQueryDataset, BigQueryServices testServices) {
    this.project = project;
    this.bigQueryDataset = bigQueryDataset;
    this.testServices = testServices;
  }

  /** Beam's fake services (tests only): no partition decorators, since the fakes refuse them. */
  public BigQuerySink withTestServices(BigQueryServices services) {
    return new BigQuerySink(project, bigQueryDataset, services);
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
    boolean perPartition =
        decorators && partitioning != null && dataset.writeMode() != WriteMode.FULL_REBUILD;
    String spec = perPartition ? tableSpec + BigQueryForm.partitionDecorator(dataset, row) : tableSpec;
    return new TableDestination(
        spec, dataset.description(), partitioning, BigQueryForm.clustering(dataset).orElse(null));
  }

  @Override
  public PTransform<PCollection<Row>, PDone> write(Dataset dataset) {
    if (dataset.writeMode() == WriteMode.UPSERT) {
      throw new UnsupportedOperationException(
          "the BigQuery sink cannot upsert " + dataset.name() + " yet; use --sink=parquet or --sink=jdbc");
    }
    String spec = tableSpec(dataset);
    boolean decorators = testServices == null;
    BigQueryServices services = testServices;
    return new PTransform<>("WriteBigQuery_" + dataset.name()) {
      @Override
      public PDone expand(PCollection<Row> rows) {
        StageCounters stage = StageCounters.of("write_" + dataset.name());
        PCollection<Row> incoming = rows.apply(stage.countRead()).setRowSchema(dataset.beamSchema());
        SerializableFunction<ValueInSingleWindow<Row>, TableDestination> to =
            value -> destination(spec, dataset, value.getValue(), decorators);
        BigQueryIO.Write<Row> write =
            BigQueryIO.<Row>write()
                .to(to)
                .withFormatFunction(row -> BigQueryForm.toTableRow(dataset, row))
                .withSchema(BigQueryForm.schema(dataset))
                .withCreateDisposition(CreateDisposition.CREATE_IF_NEEDED)
                .withWriteDisposition(WriteDisposition.WRITE_TRUNCATE)
                .withMethod(BigQueryIO.Write.Method.FILE_LOADS);
        if (services != null) {
          write = write.withTestServices(services);
        }
        WriteResult result = incoming.apply("Load", write);
        incoming
            .apply("CountRows", Count.globally())
            .apply("AfterLoads", Wait.on(result.getSuccessfulTableLoads()))
            .apply("CountWritten", ParDo.of(new CountWritten(stage)));
        return PDone.in(rows.getPipeline());
      }
    };
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

  private static boolean tableExists(String spec, BigQueryServices services, PipelineOptions options) {
    BigQueryServices client = services != null ? services : new BigQueryServicesImpl();
    TableReference table = BigQueryHelpers.parseTableSpec(spec);
    try (BigQueryServices.DatasetService datasets = client.getDatasetService(options.as(BigQueryOptions.class))) {
      return datasets.getTable(table) != null;
    } catch (Exception e) {
      throw new IllegalStateException("cannot look up BigQuery table " + spec + ": " + e.getMessage(), e);
    }
  }
}
