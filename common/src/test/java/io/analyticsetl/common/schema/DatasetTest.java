package io.analyticsetl.common.schema;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

class DatasetTest {

  static final Dataset PAYMENTS =
      Dataset.builder("shop", "payments_daily")
          .column("day", ColumnType.DATE, "day")
          .column("app_id", ColumnType.BIGINT, "app")
          .column("provider", ColumnType.STRING, "provider")
          .nullableColumn("attempts", ColumnType.INT, "attempts")
          .decimalColumn("amount", 12, 2, true, "amount")
          .nullableColumn("rate", ColumnType.DOUBLE, "rate")
          .nullableColumn("flagged", ColumnType.BOOLEAN, "flag")
          .nullableColumn("updated_at", ColumnType.TIMESTAMP, "when")
          .naturalKey("day", "app_id", "provider")
          .partitionedBy("dt", "day")
          .partitionedBy("app_id", "app_id")
          .build();

  @Test
  void partitionPathFollowsThePartitionKeys() {
    Row row = row(new BigDecimal("10.5"));
    assertThat(PAYMENTS.partitionPath(row), is("dt=2026-03-01/app_id=7"));
    assertThat(PAYMENTS.keyOf(row).getValues().toString(), is("[2026-03-01, 7, stripe]"));
  }

  @Test
  void avroFormRoundTripsEveryType() {
    Schema avro = AvroForm.schema(PAYMENTS);
    assertThat(avro.getField("day").schema().getLogicalType().getName(), is("date"));
    assertThat(avro.getField("amount").schema().getTypes().get(1).getLogicalType().getName(), is("decimal"));
    assertThat(
        avro.getField("updated_at").schema().getTypes().get(1).getLogicalType().getName(), is("timestamp-micros"));

    Row row = row(new BigDecimal("10.5"));
    GenericRecord record = AvroForm.toRecord(PAYMENTS, avro, row);
    Row back = AvroForm.toRow(PAYMENTS, record);
    // Decimals take the column's scale.
    assertThat(back.getDecimal("amount"), is(new BigDecimal("10.50")));
    assertThat(back.getLogicalTypeValue("updated_at", Instant.class), is(Instant.parse("2026-03-01T10:15:30.123456Z")));
    assertThat(back.getLogicalTypeValue("day", LocalDate.class), is(LocalDate.parse("2026-03-01")));
    assertThat(back.getValue("rate"), is(0.25));
    assertThat(back.getValue("flagged"), is(true));

    Row nulls =
        Row.withSchema(PAYMENTS.beamSchema())
            .addValues(LocalDate.parse("2026-03-01"), 7L, "stripe", null, null, null, null, null)
            .build();
    assertThat(AvroForm.toRow(PAYMENTS, AvroForm.toRecord(PAYMENTS, avro, nulls)), is(nulls));
  }

  @Test
  void definitionsAreCheckedWhenBuilt() {
    IllegalArgumentException noKey =
        assertThrows(
            IllegalArgumentException.class,
            () -> Dataset.builder("d", "t").column("a", ColumnType.BIGINT, "").naturalKey("b").build());
    assertThat(noKey.getMessage(), containsString("natural key column b"));

    IllegalArgumentException nullablePartition =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Dataset.builder("d", "t")
                    .nullableColumn("day", ColumnType.DATE, "")
                    .naturalKey("day")
                    .partitionedBy("dt", "day")
                    .build());
    assertThat(nullablePartition.getMessage(), containsString("must not be nullable"));

    IllegalArgumentException nullableVersion =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Dataset.builder("d", "t")
                    .column("a", ColumnType.BIGINT, "")
                    .nullableColumn("seen", ColumnType.TIMESTAMP, "")
                    .naturalKey("a")
                    .versionColumn("seen")
                    .build());
    assertThat(nullableVersion.getMessage(), containsString("version column seen of t must be a non-null TIMESTAMP"));

    assertThrows(
        IllegalArgumentException.class,
        () -> Dataset.builder("d", "t").column("Bad-Name", ColumnType.BIGINT, ""));
    assertThrows(
        IllegalArgumentException.class,
        () -> Dataset.builder("d", "t").column("a", ColumnType.BIGINT, "").column("a", ColumnType.INT, ""));
  }

  static Row row(BigDecimal amount) {
    return Row.withSchema(PAYMENTS.beamSchema())
        .addValues(
            LocalDate.parse("2026-03-01"),
            7L,
            "stripe",
            3,
            amount,
            0.25,
            true,
            Instant.parse("2026-03-01T10:15:30.123456Z"))
        .build();
  }
}
