package io.analyticsetl.common.sink;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.analyticsetl.common.schema.ColumnType;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.schema.WriteMode;
import io.analyticsetl.common.values.DayRange;
import io.analyticsetl.testkit.Parquet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetSinkTest {

  @TempDir Path root;

  private static Dataset events(WriteMode mode) {
    Dataset.Builder builder =
        Dataset.builder("test", "events_" + mode.name().toLowerCase())
            .column("day", ColumnType.DATE, "")
            .column("id", ColumnType.BIGINT, "")
            .column("value", ColumnType.BIGINT, "")
            .naturalKey("day", "id")
            .writeMode(mode);
    return mode == WriteMode.FULL_REBUILD ? builder.build() : builder.partitionedBy("dt", "day").build();
  }

  private static Row event(Dataset dataset, String day, long id, long value) {
    return Row.withSchema(dataset.beamSchema()).addValues(LocalDate.parse(day), id, value).build();
  }

  private void write(Dataset dataset, String runId, Row... rows) {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline
        .apply(Create.of(List.of(rows)).withRowSchema(dataset.beamSchema()))
        .apply(new ParquetSink(root.toString(), runId).write(dataset));
    pipeline.run().waitUntilFinish();
  }

  private void upsert(Dataset dataset, String runId, Row[] rows, Row[] deletions) {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> deleted = pipeline.apply("Deletions", Create.of(List.of(deletions)).withRowSchema(dataset.beamSchema()));
    pipeline
        .apply("Rows", Create.of(List.of(rows)).withRowSchema(dataset.beamSchema()))
        .apply(new ParquetSink(root.toString(), runId).upsert(dataset, deleted));
    pipeline.run().waitUntilFinish();
  }

  private List<List<String>> contents(Dataset dataset) {
    String glob = root + "/test/" + dataset.name() + (dataset.partitionKeys().isEmpty() ? "" : "/*") + "/*.parquet";
    return Parquet.query("SELECT day::text, id::text, value::text FROM read_parquet('" + glob + "') ORDER BY 1, 2");
  }

  private List<Path> files(Dataset dataset) throws IOException {
    try (Stream<Path> all = Files.walk(root.resolve("test").resolve(dataset.name()))) {
      return all.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
  }

  @Test
  void upsertMergesTouchedPartitionsOnTheNaturalKeyAndLeavesOthersAlone() throws IOException {
    Dataset dataset = events(WriteMode.UPSERT);
    write(dataset, "run1", event(dataset, "2026-03-01", 1, 10), event(dataset, "2026-03-01", 2, 20),
        event(dataset, "2026-03-02", 1, 30));
    Path untouched = files(dataset).stream().filter(p -> p.toString().contains("dt=2026-03-02")).findFirst().orElseThrow();

    write(dataset, "run2", event(dataset, "2026-03-01", 2, 21), event(dataset, "2026-03-01", 3, 30));

    assertThat(
        contents(dataset),
        contains(
            List.of("2026-03-01", "1", "10"),
            List.of("2026-03-01", "2", "21"),
            List.of("2026-03-01", "3", "30"),
            List.of("2026-03-02", "1", "30")));
    assertThat(files(dataset), hasSize(2));
    assertThat(files(dataset).contains(untouched), is(true));
  }

  @Test
  void anUpsertKeepsTheNewerVersionOfARowWhicheverRunWritesLast() {
    Dataset dataset = VersionedRows.dataset("test");
    write(dataset, "run1", VersionedRows.firstWrite(dataset));
    write(dataset, "run2", VersionedRows.secondWrite(dataset));
    assertThat(contents(dataset), contains(List.of("2026-03-01", "1", "10"), List.of("2026-03-01", "2", "25")));
  }

  @Test
  void deletionsRemoveStoredRowsUnlessNewerAndEmptyAPartitionLeftWithoutRows() throws IOException {
    Dataset dataset = VersionedRows.dataset("test");
    write(dataset, "run1", VersionedRows.firstWrite(dataset));
    write(dataset, "run2", VersionedRows.secondWrite(dataset));
    upsert(dataset, "run3", VersionedRows.thirdWrite(dataset), VersionedRows.deletions(dataset));
    assertThat(contents(dataset), contains(List.of("2026-03-01", "1", "10"), List.of("2026-03-01", "3", "40")));

    // No rows written, every stored one deleted: the partition's files go.
    upsert(dataset, "run4", new Row[0], new Row[] {VersionedRows.row(dataset, 1, 50), VersionedRows.row(dataset, 3, 50)});
    assertThat(files(dataset), hasSize(0));
  }

  @Test
  void filesWrittenBeforeANullableColumnWasAddedReadItAsNull() throws Exception {
    Dataset earlier =
        Dataset.builder("test", "evolving").column("day", ColumnType.DATE, "").column("id", ColumnType.BIGINT, "")
            .column("value", ColumnType.BIGINT, "").naturalKey("day", "id").partitionedBy("dt", "day").build();
    Dataset later =
        Dataset.builder("test", "evolving").column("day", ColumnType.DATE, "").column("id", ColumnType.BIGINT, "")
            .nullableColumn("label", ColumnType.STRING, "").column("value", ColumnType.BIGINT, "")
            .naturalKey("day", "id").partitionedBy("dt", "day").build();
    write(earlier, "run1", event(earlier, "2026-03-01", 1, 10));
    Pipeline read = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(read.apply(new ParquetSink(root.toString(), "read").read(later)))
        .containsInAnyOrder(Row.withSchema(later.beamSchema()).addValues(LocalDate.parse("2026-03-01"), 1L, null, 10L).build());
    read.run().waitUntilFinish();
    // An upsert merges the earlier rows with the later version's.
    write(later, "run2", Row.withSchema(later.beamSchema()).addValues(LocalDate.parse("2026-03-01"), 2L, "new", 20L).build());
    assertThat(Parquet.query("SELECT id::text, label, value::text FROM read_parquet('" + root + "/test/evolving/*/*.parquet', union_by_name=true) ORDER BY id"),
        contains(java.util.Arrays.asList("1", null, "10"), List.of("2", "new", "20")));
  }

  @Test
  void replacePartitionsReplacesWholePartitions() {
    Dataset dataset = events(WriteMode.REPLACE_PARTITIONS);
    write(dataset, "run1", event(dataset, "2026-03-01", 1, 10), event(dataset, "2026-03-01", 2, 20),
        event(dataset, "2026-03-02", 1, 30));
    write(dataset, "run2", event(dataset, "2026-03-01", 2, 21));
    assertThat(
        contents(dataset),
        contains(List.of("2026-03-01", "2", "21"), List.of("2026-03-02", "1", "30")));
    // A run without rows replaces nothing.
    write(dataset, "run3");
    assertThat(
        contents(dataset),
        contains(List.of("2026-03-01", "2", "21"), List.of("2026-03-02", "1", "30")));
  }

  @Test
  void aReplacedDayRangeEmptiesTheDaysTheRunHasNoRowsFor() {
    Dataset dataset = events(WriteMode.REPLACE_PARTITIONS);
    write(dataset, "run1", event(dataset, "2026-03-01", 1, 10), event(dataset, "2026-03-02", 1, 20),
        event(dataset, "2026-03-03", 1, 30), event(dataset, "2026-03-04", 1, 40));
    // Days 1 to 3 recomputed: the source has facts for day 2 only now; day 4 is outside the range.
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline
        .apply(Create.of(List.of(event(dataset, "2026-03-02", 7, 70))).withRowSchema(dataset.beamSchema()))
        .apply(new ParquetSink(root.toString(), "run2")
            .write(dataset, new DayRange(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-03"))));
    pipeline.run().waitUntilFinish();
    assertThat(contents(dataset), contains(List.of("2026-03-02", "7", "70"), List.of("2026-03-04", "1", "40")));
  }

  @Test
  void fullRebuildReplacesEverythingEvenWithNoRows() throws IOException {
    Dataset dataset = events(WriteMode.FULL_REBUILD);
    write(dataset, "run1", event(dataset, "2026-03-01", 1, 10), event(dataset, "2026-03-02", 1, 30));
    write(dataset, "run2", event(dataset, "2026-03-03", 5, 50));
    assertThat(contents(dataset), contains(List.of("2026-03-03", "5", "50")));
    write(dataset, "run3");
    assertThat(files(dataset), empty());
  }

  @Test
  void readsBackWhatWasWrittenAndNothingWhenThereIsNothing() throws Exception {
    Dataset dataset = events(WriteMode.UPSERT);
    Pipeline empty = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(empty.apply(new ParquetSink(root.toString(), "r").read(dataset))).empty();
    empty.run().waitUntilFinish();

    write(dataset, "run1", event(dataset, "2026-03-01", 1, 10), event(dataset, "2026-03-02", 1, 30));
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> rows = pipeline.apply(new ParquetSink(root.toString(), "r").read(dataset));
    PAssert.that(rows).containsInAnyOrder(event(dataset, "2026-03-01", 1, 10), event(dataset, "2026-03-02", 1, 30));
    pipeline.run().waitUntilFinish();

    // From a day on: the older partitions' files are not even opened (one is not Parquet at all).
    write(dataset, "run2", event(dataset, "2026-02-27", 4, 40));
    Path notParquet = root.resolve("test/events_upsert/dt=2026-02-28/part-x.parquet");
    Files.createDirectories(notParquet.getParent());
    Files.writeString(notParquet, "not parquet");
    // A file outside a dated folder is read, not skipped (nor does it fail the read).
    Path undated = root.resolve("test/events_upsert/dt=__HIVE_DEFAULT_PARTITION__");
    Files.createDirectories(undated);
    try (Stream<Path> files = Files.list(root.resolve("test/events_upsert/dt=2026-03-02"))) {
      Path file = files.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow();
      Files.copy(file, undated.resolve(file.getFileName()));
    }
    Pipeline fromDay = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> recent = fromDay.apply(new ParquetSink(root.toString(), "r").read(dataset, LocalDate.parse("2026-03-01")));
    PAssert.that(recent)
        .containsInAnyOrder(
            event(dataset, "2026-03-01", 1, 10), event(dataset, "2026-03-02", 1, 30), event(dataset, "2026-03-02", 1, 30));
    fromDay.run().waitUntilFinish();
  }

  @Test
  void knowsEachKeysLastDayAndNothingBeforeAnythingIsWritten() {
    Dataset dataset = events(WriteMode.REPLACE_PARTITIONS);
    Pipeline before = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(before.apply(new ParquetSink(root.toString(), "r").lastDays(dataset, "id"))).empty();
    before.run().waitUntilFinish();

    write(dataset, "run1", event(dataset, "2026-02-27", 1, 10), event(dataset, "2026-03-01", 1, 11),
        event(dataset, "2026-02-28", 1, 12), event(dataset, "2026-02-27", 2, 20));
    Pipeline after = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(after.apply(new ParquetSink(root.toString(), "r").lastDays(dataset, "id")))
        .containsInAnyOrder(KV.of(1L, LocalDate.parse("2026-03-01")), KV.of(2L, LocalDate.parse("2026-02-27")));
    after.run().waitUntilFinish();
  }

  @Test
  void lastDaysRefusesAKeyThatIsNotABigintColumn() {
    Dataset dataset = events(WriteMode.REPLACE_PARTITIONS);
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class, () -> new ParquetSink(root.toString(), "r").lastDays(dataset, "day"));
    assertThat(refused.getMessage(), is("day of events_replace_partitions is not a BIGINT column"));
  }
}
