package io.analyticsetl.common.sink;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.analyticsetl.common.jdbc.JdbcEndpoint;
import io.analyticsetl.common.schema.ColumnType;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.schema.WriteMode;
import io.analyticsetl.common.values.DayRange;
import io.analyticsetl.common.secrets.Secret;
import io.analyticsetl.testkit.LocalPostgres;
import io.analyticsetl.testkit.Sql;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JDBC sink against a real PostgreSQL. */
class JdbcSinkTest {

  private String url;
  private JdbcSink sink;

  @BeforeEach
  void database() {
    url = LocalPostgres.newDatabase("jdbcsink");
    sink = new JdbcSink(new JdbcEndpoint("target database", url, LocalPostgres.user(), Secret.of("")));
  }

  private static Dataset dataset(String name, WriteMode mode) {
    Dataset.Builder builder =
        Dataset.builder("sinktest", name)
            .column("day", ColumnType.DATE, "")
            .column("id", ColumnType.BIGINT, "")
            .nullableColumn("label", ColumnType.STRING, "")
            .decimalColumn("amount", 12, 2, true, "")
            .nullableColumn("rate", ColumnType.DOUBLE, "")
            .nullableColumn("seen_at", ColumnType.TIMESTAMP, "")
            .naturalKey("day", "id")
            .writeMode(mode);
    return mode == WriteMode.FULL_REBUILD ? builder.build() : builder.partitionedBy("dt", "day").build();
  }

  private static Row row(Dataset dataset, String day, long id, String label, String amount) {
    return Row.withSchema(dataset.beamSchema())
        .addValues(
            LocalDate.parse(day), id, label, amount == null ? null : new BigDecimal(amount), 0.5,
            Instant.parse("2026-03-01T10:15:30.123456Z"))
        .build();
  }

  private void write(Dataset dataset, Row... rows) {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply(Create.of(List.of(rows)).withRowSchema(dataset.beamSchema())).apply(sink.write(dataset));
    pipeline.run().waitUntilFinish();
  }

  private void upsert(Dataset dataset, Row[] rows, Row[] deletions) {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> deleted = pipeline.apply("Deletions", Create.of(List.of(deletions)).withRowSchema(dataset.beamSchema()));
    pipeline.apply("Rows", Create.of(List.of(rows)).withRowSchema(dataset.beamSchema())).apply(sink.upsert(dataset, deleted));
    pipeline.run().waitUntilFinish();
  }

  private List<List<String>> table(Dataset dataset) {
    return Sql.query(
        url,
        "SELECT day::text, id::text, label, amount::text, rate::text, seen_at::text FROM sinktest."
            + dataset.name() + " ORDER BY day, id");
  }

  @Test
  void createsTheTableWithTheDatasetsTypesAndUpsertsOnRerun() {
    Dataset dataset = dataset("upserted", WriteMode.UPSERT);
    write(dataset, row(dataset, "2026-03-01", 1, "a", "1.5"), row(dataset, "2026-03-02", 1, null, null));
    write(dataset, row(dataset, "2026-03-01", 1, "a", "1.5"), row(dataset, "2026-03-02", 1, null, null));
    assertThat(
        table(dataset),
        contains(
            List.of("2026-03-01", "1", "a", "1.50", "0.5", "2026-03-01 10:15:30.123456+00"),
            java.util.Arrays.asList("2026-03-02", "1", null, null, "0.5", "2026-03-01 10:15:30.123456+00")));
    assertThat(
        Sql.query(
            url,
            "SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns"
                + " WHERE table_schema = 'sinktest' AND table_name = 'upserted' ORDER BY ordinal_position"),
        contains(
            List.of("day date NO"),
            List.of("id bigint NO"),
            List.of("label text YES"),
            List.of("amount numeric YES"),
            List.of("rate double precision YES"),
            List.of("seen_at timestamp with time zone YES")));

    write(dataset, row(dataset, "2026-03-01", 1, "changed", "2"));
    assertThat(table(dataset).get(0).subList(0, 4), is(List.of("2026-03-01", "1", "changed", "2.00")));
    assertThat(table(dataset).size(), is(2));
  }

  @Test
  void anUpsertKeepsTheNewerVersionOfARowWhicheverRunWritesLast() {
    Dataset dataset = VersionedRows.dataset("sinktest");
    write(dataset, VersionedRows.firstWrite(dataset));
    write(dataset, VersionedRows.secondWrite(dataset));
    assertThat(Sql.query(url, "SELECT id::text, value::text FROM sinktest.versioned ORDER BY id"),
        contains(List.of("1", "10"), List.of("2", "25")));

    upsert(dataset, VersionedRows.thirdWrite(dataset), VersionedRows.deletions(dataset));
    assertThat(Sql.query(url, "SELECT id::text, value::text FROM sinktest.versioned ORDER BY id"),
        contains(List.of("1", "10"), List.of("3", "40")));
  }

  @Test
  void replacePartitionsReplacesEachWrittenPartitionOnly() {
    Dataset dataset = dataset("replaced", WriteMode.REPLACE_PARTITIONS);
    write(dataset, row(dataset, "2026-03-01", 1, "a", "1"), row(dataset, "2026-03-01", 2, "b", "2"),
        row(dataset, "2026-03-02", 1, "c", "3"));
    write(dataset, row(dataset, "2026-03-01", 3, "d", "4"));
    assertThat(
        table(dataset).stream().map(r -> r.get(0) + "/" + r.get(1) + "/" + r.get(2)).toList(),
        contains("2026-03-01/3/d", "2026-03-02/1/c"));
  }

  @Test
  void aReplacedDayRangeEmptiesTheDaysTheRunHasNoRowsFor() {
    Dataset dataset = dataset("replaced_days", WriteMode.REPLACE_PARTITIONS);
    write(dataset, row(dataset, "2026-03-01", 1, "a", "1"), row(dataset, "2026-03-02", 1, "b", "2"),
        row(dataset, "2026-03-03", 1, "c", "3"), row(dataset, "2026-03-04", 1, "d", "4"));
    // Days 1 to 3 recomputed: the source has facts for day 2 only now; day 4 is outside the range.
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline
        .apply(Create.of(List.of(row(dataset, "2026-03-02", 7, "e", "5"))).withRowSchema(dataset.beamSchema()))
        .apply(sink.write(dataset, new DayRange(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-03"))));
    pipeline.run().waitUntilFinish();
    assertThat(
        table(dataset).stream().map(r -> r.get(0) + "/" + r.get(1) + "/" + r.get(2)).toList(),
        contains("2026-03-02/7/e", "2026-03-04/1/d"));
  }

  @Test
  void aFullRebuildIsAtomic() {
    Dataset dataset = dataset("rebuilt", WriteMode.FULL_REBUILD);
    write(dataset, row(dataset, "2026-03-01", 1, "old", "1"), row(dataset, "2026-03-01", 2, "old", "2"));

    // Two rows with one natural key: the rebuild fails half way and is rolled back.
    RuntimeException failure =
        assertThrows(
            RuntimeException.class,
            () ->
                write(
                    dataset,
                    row(dataset, "2026-03-05", 7, "new", "1"),
                    row(dataset, "2026-03-05", 7, "new", "2")));
    assertThat(failure.getMessage(), containsString("rolled back"));
    assertThat(table(dataset).stream().map(r -> r.get(2)).toList(), contains("old", "old"));

    write(dataset, row(dataset, "2026-03-05", 7, "new", "1"));
    assertThat(table(dataset).stream().map(r -> r.get(1) + r.get(2)).toList(), contains("7new"));
    write(dataset);
    assertThat(table(dataset).size(), is(0));
  }

  @Test
  void readsTheTableBackAndNothingBeforeItExists() {
    Dataset dataset = dataset("readback", WriteMode.UPSERT);
    Pipeline before = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(before.apply(sink.read(dataset))).empty();
    before.run().waitUntilFinish();

    Row written = row(dataset, "2026-03-01", 1, "a", "1.50");
    Row older = row(dataset, "2026-02-28", 2, "b", "2.00");
    write(dataset, written, older);
    Pipeline after = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(after.apply(sink.read(dataset))).containsInAnyOrder(written, older);
    after.run().waitUntilFinish();

    Pipeline fromDay = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(fromDay.apply(sink.read(dataset, LocalDate.parse("2026-03-01")))).containsInAnyOrder(written);
    fromDay.run().waitUntilFinish();
  }

  @Test
  void knowsEachKeysLastDayAndNothingBeforeTheTableExists() {
    Dataset dataset = dataset("last_days", WriteMode.REPLACE_PARTITIONS);
    Pipeline before = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(before.apply(sink.lastDays(dataset, "id"))).empty();
    before.run().waitUntilFinish();

    write(dataset, row(dataset, "2026-02-27", 1, "a", "1"), row(dataset, "2026-03-01", 1, "b", "1"),
        row(dataset, "2026-02-28", 1, "c", "1"), row(dataset, "2026-02-27", 2, "d", "1"));
    Pipeline after = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(after.apply(sink.lastDays(dataset, "id")))
        .containsInAnyOrder(KV.of(1L, LocalDate.parse("2026-03-01")), KV.of(2L, LocalDate.parse("2026-02-27")));
    after.run().waitUntilFinish();
  }

  @Test
  void aTableFromAnEarlierVersionGainsTheNullableColumnsAddedSince() {
    Dataset dataset = dataset("evolved", WriteMode.UPSERT);
    // The table as a version without the label and seen_at columns created it, with one row.
    Sql.execute(url, "CREATE SCHEMA sinktest",
        "CREATE TABLE sinktest.evolved (day DATE NOT NULL, id BIGINT NOT NULL, amount NUMERIC(12,2), rate DOUBLE PRECISION,"
            + " PRIMARY KEY (day, id))",
        "INSERT INTO sinktest.evolved VALUES ('2026-02-28', 2, 2.00, 0.5)");
    Row older =
        Row.withSchema(dataset.beamSchema()).addValues(LocalDate.parse("2026-02-28"), 2L, null, new BigDecimal("2.00"), 0.5, null).build();
    Pipeline before = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(before.apply(sink.read(dataset))).containsInAnyOrder(older);
    before.run().waitUntilFinish();

    write(dataset, row(dataset, "2026-03-01", 1, "a", "1.5"));
    assertThat(
        table(dataset),
        contains(
            java.util.Arrays.asList("2026-02-28", "2", null, "2.00", "0.5", null),
            List.of("2026-03-01", "1", "a", "1.50", "0.5", "2026-03-01 10:15:30.123456+00")));
  }

  @Test
  void aTableLackingANotNullColumnStopsTheRunNamingTheColumnAndTheFix() {
    Dataset dataset = dataset("lacking", WriteMode.UPSERT);
    Sql.execute(url, "CREATE SCHEMA sinktest", "CREATE TABLE sinktest.lacking (day DATE NOT NULL, PRIMARY KEY (day))");
    RuntimeException failure = assertThrows(RuntimeException.class, () -> write(dataset, row(dataset, "2026-03-01", 1, "a", "1")));
    assertThat(failure.getMessage(), containsString("table sinktest.lacking has no column id"));
    assertThat(failure.getMessage(), containsString("ALTER TABLE sinktest.lacking ADD COLUMN id BIGINT NOT NULL DEFAULT"));
    assertThat(Sql.query(url, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'lacking'").get(0).get(0), is("1"));
  }
}
