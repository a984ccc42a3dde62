package io.analyticsetl.common.sink;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableReference;
import com.google.cloud.bigquery.storage.v1.BigDecimalByteStringEncoder;
import com.google.protobuf.ByteString;
import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.schema.ColumnType;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.schema.WriteMode;
import io.analyticsetl.common.values.DayRange;
import io.analyticsetl.testkit.PartitionDeletingDatasetService;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.gcp.bigquery.TableDestination;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BigQuery sink against Beam's fake BigQuery services. What the fakes cannot show (partition
 * decorators, per-partition truncation) is checked on the destinations the sink computes.
 */
class BigQuerySinkTest {

  private static final String PROJECT = "acme-analytics";

  @TempDir Path temp;
  private FakeDatasetService datasets;
  private BigQuerySink sink;

  private static final Dataset DAILY =
      Dataset.builder("shop", "sales_daily")
          .description("Sales per day")
          .column("day", ColumnType.DATE, "The day")
          .column("app_id", ColumnType.BIGINT, "")
          .decimalColumn("revenue", 12, 2, true, "")
          .nullableColumn("updated_at", ColumnType.TIMESTAMP, "")
          .naturalKey("day", "app_id")
          .partitionedBy("dt", "day")
          .partitionedBy("app_id", "app_id")
          .writeMode(WriteMode.REPLACE_PARTITIONS)
          .build();

  private static final Dataset REBUILT =
      Dataset.builder("shop", "totals")
          .column("day", ColumnType.DATE, "")
          .column("app_id", ColumnType.BIGINT, "")
          .decimalColumn("revenue", 12, 2, true, "")
          .nullableColumn("updated_at", ColumnType.TIMESTAMP, "")
          .naturalKey("app_id")
          .writeMode(WriteMode.FULL_REBUILD)
          .build();

  @BeforeEach
  void fakes() throws Exception {
    FakeDatasetService.setUp();
    PartitionDeletingDatasetService.reset();
    datasets = new PartitionDeletingDatasetService();
    datasets.createDataset(PROJECT, "shop", "", "", null);
    sink =
        new BigQuerySink(PROJECT, null, BigQuerySink.WriteMethod.FILE_LOADS)
            .withTestServices(new FakeBigQueryServices().withJobService(new FakeJobService()).withDatasetService(datasets));
  }

  private static Row row(Dataset dataset, String day, long app, String revenue) {
    return Row.withSchema(dataset.beamSchema())
        .addValues(LocalDate.parse(day), app, new BigDecimal(revenue), Instant.parse("2026-03-02T04:05:06.789Z"))
        .build();
  }

  private Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--tempLocation=" + temp, "--project=" + PROJECT).create());
  }

  private void write(Dataset dataset, Row... rows) {
    Pipeline pipeline = pipeline();
    pipeline.apply(Create.of(List.of(rows)).withRowSchema(dataset.beamSchema())).apply(sink.write(dataset));
    pipeline.run().waitUntilFinish();
  }

  private List<String> rows(Dataset dataset) throws Exception {
    return datasets.getAllRows(PROJECT, "shop", dataset.name()).stream()
        .map(r -> r.get("day") + " " + r.get("app_id") + " " + r.get("revenue") + " " + r.get("updated_at"))
        .toList();
  }

  @Test
  void aReplacedDayRangeDeletesThePartitionsOfDaysWithoutRowsOnceTheLoadsAreIn() {
    Dataset byDay =
        Dataset.builder("shop", "orders_daily")
            .column("day", ColumnType.DATE, "")
            .column("app_id", ColumnType.BIGINT, "")
            .decimalColumn("revenue", 12, 2, true, "")
            .nullableColumn("updated_at", ColumnType.TIMESTAMP, "")
            .naturalKey("day", "app_id")
            .partitionedBy("dt", "day")
            .writeMode(WriteMode.REPLACE_PARTITIONS)
            .build();
    DayRange days = new DayRange(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-03"));
    // No table yet: nothing to empty.
    Pipeline first = pipeline();
    first.apply(Create.empty(SchemaCoder.of(byDay.beamSchema()))).apply(sink.write(byDay, days));
    first.run().waitUntilFinish();
    assertThat(PartitionDeletingDatasetService.deletedPartitions(), empty());

    Pipeline second = pipeline();
    second.apply(Create.of(List.of(row(byDay, "2026-03-01", 7, "1"), row(byDay, "2026-03-03", 7, "3"))).withRowSchema(byDay.beamSchema()))
        .apply(sink.write(byDay, days));
    second.run().waitUntilFinish();
    assertThat(PartitionDeletingDatasetService.deletedPartitions(), contains("shop.orders_daily$20260302"));
  }

  @Test
  void eachRowGoesToItsDaysPartitionAndFullRebuildsToTheTable() {
    TableDestination daily =
        BigQuerySink.destination("p:shop.sales_daily", DAILY, row(DAILY, "2026-03-01", 7, "1"), true);
    assertThat(daily.getTableSpec(), is("p:shop.sales_daily$20260301"));
    assertThat(daily.getTimePartitioning().getType(), is("DAY"));
    assertThat(daily.getTimePartitioning().getField(), is("day"));
    assertThat(daily.getClustering().getFields(), contains("app_id"));

    TableDestination rebuilt =
        BigQuerySink.destination("p:shop.totals", REBUILT, row(REBUILT, "2026-03-01", 7, "1"), true);
    assertThat(rebuilt.getTableSpec(), is("p:shop.totals"));
    assertThat(rebuilt.getTimePartitioning(), nullValue());
  }

  @Test
  void aFullRebuildWithoutRowsEmptiesTheTable() throws Exception {
    write(REBUILT, row(REBUILT, "2026-03-01", 7, "1"), row(REBUILT, "2026-03-01", 8, "2"));
    assertThat(rows(REBUILT).size(), is(2));
    Pipeline empty = pipeline();
    empty.apply(Create.empty(SchemaCoder.of(REBUILT.beamSchema()))).apply(sink.write(REBUILT));
    empty.run().waitUntilFinish();
    assertThat(rows(REBUILT), empty());
  }

  @Test
  void writesRowsWithTheDatasetsSchemaAndPartitioning() throws Exception {
    write(DAILY, row(DAILY, "2026-03-01", 7, "10.5"), row(DAILY, "2026-03-02", 8, "0"));
    assertThat(
        rows(DAILY),
        containsInAnyOrder(
            "2026-03-01 7 10.50 2026-03-02 04:05:06.789000 UTC",
            "2026-03-02 8 0.00 2026-03-02 04:05:06.789000 UTC"));

    Table table = datasets.getTable(new TableReference().setProjectId(PROJECT).setDatasetId("shop").setTableId("sales_daily"));
    assertThat(
        table.getSchema().getFields().stream().map(f -> f.getName() + " " + f.getType() + " " + f.getMode()).toList(),
        contains("day DATE REQUIRED", "app_id INT64 REQUIRED", "revenue NUMERIC NULLABLE", "updated_at TIMESTAMP NULLABLE"));
    assertThat(table.getTimePartitioning().getField(), is("day"));
  }

  @Test
  void aRerunReplacesTheDaysItWritesInsteadOfAppending() throws Exception {
    Dataset byDay =
        Dataset.builder("shop", "revenue_daily")
            .column("day", ColumnType.DATE, "")
            .column("app_id", ColumnType.BIGINT, "")
            .decimalColumn("revenue", 12, 2, true, "")
            .nullableColumn("updated_at", ColumnType.TIMESTAMP, "")
            .partitionedBy("dt", "day")
            .writeMode(WriteMode.REPLACE_PARTITIONS)
            .build();
    write(byDay, row(byDay, "2026-03-01", 7, "10.5"), row(byDay, "2026-03-02", 8, "0"));
    write(byDay, row(byDay, "2026-03-01", 7, "10.5"), row(byDay, "2026-03-02", 8, "0"));
    // WRITE_TRUNCATE (the fakes truncate the whole table, BigQuery the day's partition).
    assertThat(rows(byDay), containsInAnyOrder(
        "2026-03-01 7 10.50 2026-03-02 04:05:06.789000 UTC", "2026-03-02 8 0.00 2026-03-02 04:05:06.789000 UTC"));
  }

  /** The fake's export job cannot write NUMERIC or TIMESTAMP values, so this dataset has none. */
  private static final Dataset COUNTS =
      Dataset.builder("shop", "counts_daily")
          .column("day", ColumnType.DATE, "")
          .column("app_id", ColumnType.BIGINT, "")
          .nullableColumn("label", ColumnType.STRING, "")
          .naturalKey("day", "app_id")
          .partitionedBy("dt", "day")
          .writeMode(WriteMode.REPLACE_PARTITIONS)
          .build();

  @Test
  void readsRowsBackAndNothingBeforeTheTableExists() {
    Pipeline before = pipeline();
    PAssert.that(before.apply(sink.read(COUNTS))).empty();
    before.run().waitUntilFinish();

    Row written =
        Row.withSchema(COUNTS.beamSchema())
            .addValues(LocalDate.parse("2026-03-01"), 7L, "seven")
            .build();
    Row older =
        Row.withSchema(COUNTS.beamSchema())
            .addValues(LocalDate.parse("2026-02-28"), 8L, "eight")
            .build();
    write(COUNTS, written, older);
    Pipeline after = pipeline();
    PAssert.that(after.apply(sink.read(COUNTS))).containsInAnyOrder(written, older);
    after.run().waitUntilFinish();

    Pipeline fromDay = pipeline();
    PAssert.that(fromDay.apply(sink.read(COUNTS, LocalDate.parse("2026-03-01")))).containsInAnyOrder(written);
    fromDay.run().waitUntilFinish();
  }

  @Test
  void knowsEachKeysLastDayAndNothingBeforeTheTableExists() {
    Pipeline before = pipeline();
    PAssert.that(before.apply(sink.lastDays(COUNTS, "app_id"))).empty();
    before.run().waitUntilFinish();

    write(COUNTS, count("2026-02-27", 7), count("2026-03-01", 7), count("2026-02-28", 7), count("2026-02-27", 8));
    Pipeline after = pipeline();
    PAssert.that(after.apply(sink.lastDays(COUNTS, "app_id")))
        .containsInAnyOrder(KV.of(7L, LocalDate.parse("2026-03-01")), KV.of(8L, LocalDate.parse("2026-02-27")));
    after.run().waitUntilFinish();
  }

  private static Row count(String day, long app) {
    return Row.withSchema(COUNTS.beamSchema()).addValues(LocalDate.parse(day), app, "app " + app).build();
  }

  /** Partitioned by day and app, as the appstore datasets are; BigQuery partitions by day alone. */
  private static final Dataset PER_APP =
      Dataset.builder("shop", "counts_per_app")
          .column("day", ColumnType.DATE, "")
          .column("app_id", ColumnType.BIGINT, "")
          .nullableColumn("label", ColumnType.STRING, "")
          .partitionedBy("dt", "day")
          .partitionedBy("app_id", "app_id")
          .writeMode(WriteMode.REPLACE_PARTITIONS)
          .build();

  private static Row perApp(String day, long app, String label) {
    return Row.withSchema(PER_APP.beamSchema()).addValues(LocalDate.parse(day), app, label).build();
  }

  private List<String> perAppRows() throws Exception {
    return datasets.getAllRows(PROJECT, "shop", PER_APP.name()).stream()
        .map(r -> r.get("day") + " " + r.get("app_id") + " " + r.get("label"))
        .toList();
  }

  @Test
  void aRunForOneAppLeavesTheOtherAppsRowsOfTheSameDays() throws Exception {
    write(PER_APP, perApp("2026-03-01", 7, "a1"), perApp("2026-03-02", 7, "a2"));
    write(PER_APP, perApp("2026-03-01", 8, "b1"));
    assertThat(perAppRows(), containsInAnyOrder("2026-03-01 7 a1", "2026-03-02 7 a2", "2026-03-01 8 b1"));

    // App 7 restated for one day: that partition is replaced, its other day and app 8 stay.
    write(PER_APP, perApp("2026-03-01", 7, "a1 restated"), perApp("2026-03-01", 7, "a1 new row"));
    List<String> expected = List.of("2026-03-01 7 a1 restated", "2026-03-01 7 a1 new row", "2026-03-02 7 a2", "2026-03-01 8 b1");
    assertThat(perAppRows(), containsInAnyOrder(expected.toArray()));

    // WRITE_TRUNCATE: a rerun replaces instead of appending.
    write(PER_APP, perApp("2026-03-01", 7, "a1 restated"), perApp("2026-03-01", 7, "a1 new row"));
    assertThat(perAppRows(), containsInAnyOrder(expected.toArray()));
  }

  @Test
  void aLoadIntoDayPartitionsCarriesTheStoredRowsOfOtherPartitionsOfThoseDaysOnly() {
    Pipeline pipeline = pipeline();
    PCollectionView<Map<String, String>> written =
        pipeline
            .apply("Written", Create.of(KV.of("dt=2026-03-01/app_id=7", "2026-03-01")))
            .apply(View.asMap());
    PCollection<Row> stored =
        pipeline.apply(
            "Stored",
            Create.of(
                    perApp("2026-03-01", 7, "replaced"),
                    perApp("2026-03-01", 8, "same day, other app"),
                    perApp("2026-03-02", 8, "other day"))
                .withRowSchema(PER_APP.beamSchema()));
    PAssert.that(
            stored
                .apply("PerPartitionLoads", ParDo.of(new BigQuerySink.KeepOtherPartitions(PER_APP, true, written)).withSideInputs(written))
                .setRowSchema(PER_APP.beamSchema()))
        .containsInAnyOrder(perApp("2026-03-01", 8, "same day, other app"));
    PAssert.that(
            stored
                .apply("WholeTableLoads", ParDo.of(new BigQuerySink.KeepOtherPartitions(PER_APP, false, written)).withSideInputs(written))
                .setRowSchema(PER_APP.beamSchema()))
        .containsInAnyOrder(perApp("2026-03-01", 8, "same day, other app"), perApp("2026-03-02", 8, "other day"));
    pipeline.run().waitUntilFinish();
  }

  /**
   * Rows the fake holds from the Storage Write API, which keeps them in their wire form: DATE as
   * epoch days, NUMERIC as BigQuery's little-endian bytes, TIMESTAMP as epoch microseconds.
   */
  private List<String> upsertedRows(Dataset dataset) throws Exception {
    return datasets.getAllRows(PROJECT, "shop", dataset.name()).stream()
        .map(
            r ->
                LocalDate.ofEpochDay(Long.parseLong(r.get("day").toString()))
                    + " " + r.get("app_id")
                    + " " + BigDecimalByteStringEncoder.decodeNumericByteString(
                            ByteString.copyFrom(Base64.getDecoder().decode(r.get("revenue").toString())))
                        .setScale(2)
                    + " " + Instant.EPOCH.plus(Long.parseLong(r.get("updated_at").toString()), ChronoUnit.MICROS))
        .toList();
  }

  /**
   * An upserted daily table of the shop; Beam caches Storage Write API streams per table across
   * pipelines, so each test writes a table of its own.
   */
  private static Dataset.Builder upserted(String name) {
    return Dataset.builder("shop", name)
        .column("day", ColumnType.DATE, "")
        .column("app_id", ColumnType.BIGINT, "")
        .decimalColumn("revenue", 12, 2, true, "")
        .column("updated_at", ColumnType.TIMESTAMP, "")
        .naturalKey("day", "app_id")
        .partitionedBy("dt", "day")
        .writeMode(WriteMode.UPSERT);
  }

  private static final Dataset UPSERTED = upserted("ad_daily").build();

  @Test
  void upsertedDatasetsConvergeOnTheNaturalKeyThroughTheStorageWriteApi() throws Exception {
    write(UPSERTED, row(UPSERTED, "2026-03-01", 7, "10.5"), row(UPSERTED, "2026-03-02", 7, "3"));
    // A later run restates one day and adds another: the restated row replaces the first, the rest stay.
    write(UPSERTED, row(UPSERTED, "2026-03-02", 7, "4.25"), row(UPSERTED, "2026-03-03", 7, "1"));
    assertThat(
        upsertedRows(UPSERTED),
        containsInAnyOrder(
            "2026-03-01 7 10.50 2026-03-02T04:05:06.789Z",
            "2026-03-02 7 4.25 2026-03-02T04:05:06.789Z",
            "2026-03-03 7 1.00 2026-03-02T04:05:06.789Z"));

    Table table = datasets.getTable(new TableReference().setProjectId(PROJECT).setDatasetId("shop").setTableId("ad_daily"));
    assertThat(table.getTableConstraints().getPrimaryKey().getColumns(), contains("day", "app_id"));
    assertThat(table.getTimePartitioning().getField(), is("day"));
  }

  @Test
  void anUpsertKeepsTheNewerVersionOfARowWhicheverRunWritesLast() throws Exception {
    Dataset versioned = upserted("versioned").versionColumn("updated_at").build();
    java.util.function.BiFunction<Long, String, Row> row = (app, at) -> Row.withSchema(versioned.beamSchema())
        .addValues(LocalDate.parse("2026-03-01"), app, new BigDecimal(at.substring(11, 13)), Instant.parse(at)).build();
    write(versioned, row.apply(7L, "2026-03-02T10:00:00Z"), row.apply(8L, "2026-03-02T10:00:00Z"));
    // A replay of older figures for app 7 beside a newer one for app 8.
    write(versioned, row.apply(7L, "2026-03-02T09:00:00Z"), row.apply(8L, "2026-03-02T11:00:00Z"));
    assertThat(upsertedRows(versioned),
        containsInAnyOrder("2026-03-01 7 10.00 2026-03-02T10:00:00Z", "2026-03-01 8 11.00 2026-03-02T11:00:00Z"));

    // App 9 arrives; apps 7 and 8 are deleted as of 09:30 and 12:00: 7 is newer than its deletion
    // and stays, 8 goes.
    Pipeline pipeline = pipeline();
    PCollection<Row> deletions = pipeline.apply("Deletions",
        Create.of(List.of(row.apply(7L, "2026-03-02T09:30:00Z"), row.apply(8L, "2026-03-02T12:00:00Z"))).withRowSchema(versioned.beamSchema()));
    pipeline.apply("Rows", Create.of(List.of(row.apply(9L, "2026-03-02T12:00:00Z"))).withRowSchema(versioned.beamSchema()))
        .apply(sink.upsert(versioned, deletions));
    pipeline.run().waitUntilFinish();
    assertThat(upsertedRows(versioned),
        containsInAnyOrder("2026-03-01 7 10.00 2026-03-02T10:00:00Z", "2026-03-01 9 12.00 2026-03-02T12:00:00Z"));
  }

  @Test
  void upsertsIntoATableFromAnEarlierVersionNameTheColumnsItLacksAndTheStatementThatAddsThem() {
    Dataset earlier = upserted("evolving").build();
    write(earlier, row(earlier, "2026-03-01", 7, "10.5"));
    Dataset later = upserted("evolving").nullableColumn("channel", ColumnType.STRING, "").build();
    Row row = Row.withSchema(later.beamSchema())
        .addValues(LocalDate.parse("2026-03-01"), 7L, new BigDecimal("11"), Instant.parse("2026-03-02T04:05:06.789Z"), "web").build();
    IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> write(later, row));
    assertThat(refused.getMessage(),
        org.hamcrest.Matchers.containsString("ALTER TABLE `acme-analytics.shop.evolving` ADD COLUMN channel STRING"));
  }

  @Test
  void theStorageWriteApiUpsertsReplacedPartitionsAndFullRebuildsStillLoad() throws Exception {
    BigQuerySink storageApi =
        new BigQuerySink(PROJECT, null, BigQuerySink.WriteMethod.STORAGE_WRITE_API)
            .withTestServices(new FakeBigQueryServices().withJobService(new FakeJobService()).withDatasetService(datasets));
    assertThat(storageApi.upserts(DAILY), is(true));
    assertThat(storageApi.upserts(REBUILT), is(false));
    assertThat(sink.upserts(DAILY), is(false));
    assertThat(sink.upserts(UPSERTED), is(true));

    sink = storageApi;
    write(DAILY, row(DAILY, "2026-03-01", 7, "10.5"), row(DAILY, "2026-03-02", 8, "0"));
    write(DAILY, row(DAILY, "2026-03-01", 7, "11"));
    assertThat(
        upsertedRows(DAILY),
        containsInAnyOrder("2026-03-01 7 11.00 2026-03-02T04:05:06.789Z", "2026-03-02 8 0.00 2026-03-02T04:05:06.789Z"));

    write(REBUILT, row(REBUILT, "2026-03-01", 7, "1"), row(REBUILT, "2026-03-01", 8, "2"));
    write(REBUILT, row(REBUILT, "2026-03-01", 9, "3"));
    assertThat(rows(REBUILT), contains("2026-03-01 9 3.00 2026-03-02 04:05:06.789000 UTC"));
  }

  @Test
  void theStorageWriteApiRefusesATableWithoutItsPrimaryKeyNamingTheFix() {
    write(DAILY, row(DAILY, "2026-03-01", 7, "10.5")); // a load job makes the table, without a primary key
    sink =
        new BigQuerySink(PROJECT, null, BigQuerySink.WriteMethod.STORAGE_WRITE_API)
            .withTestServices(new FakeBigQueryServices().withJobService(new FakeJobService()).withDatasetService(datasets));
    IllegalStateException refused =
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> write(DAILY, row(DAILY, "2026-03-01", 7, "11")));
    assertThat(
        refused.getMessage(),
        org.hamcrest.Matchers.containsString("ALTER TABLE `acme-analytics.shop.sales_daily` ADD PRIMARY KEY (day, app_id) NOT ENFORCED"));
  }

  @Test
  void anUnknownWriteMethodIsRefusedNamingTheOption() {
    InvalidOptionException refused =
        org.junit.jupiter.api.Assertions.assertThrows(InvalidOptionException.class, () -> BigQuerySink.WriteMethod.parse("streaming"));
    assertThat(refused.option(), is("bigQueryWriteMethod"));
    assertThat(BigQuerySink.WriteMethod.parse("storage_write_api"), is(BigQuerySink.WriteMethod.STORAGE_WRITE_API));
  }
}
