package io.analyticsetl.common.schema;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.beam.sdk.values.Row;

/**
 * The Avro form of a dataset, which is also its Parquet form: dates as {@code date}, instants as
 * {@code timestamp-micros} (UTC), decimals as {@code decimal(p,s)} bytes, nullable columns as
 * unions with null.
 */
public final class AvroForm {

  private AvroForm() {}

  public static Schema schema(Dataset dataset) {
    return schema(dataset, dataset.columns());
  }

  /** The dataset's record with only {@code columnNames}: what a reader asks Parquet for to skip the other columns. */
  public static Schema projection(Dataset dataset, List<String> columnNames) {
    return schema(dataset, columnNames.stream().map(dataset::column).toList());
  }

  private static Schema schema(Dataset dataset, List<Column> columns) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Column column : columns) {
      Schema type = avroType(column);
      if (column.nullable()) {
        fields.add(
            new Schema.Field(
                column.name(),
                Schema.createUnion(Schema.create(Schema.Type.NULL), type),
                column.description(),
                Schema.Field.NULL_DEFAULT_VALUE));
      } else {
        fields.add(new Schema.Field(column.name(), type, column.description()));
      }
    }
    return Schema.createRecord(
        dataset.name(), dataset.description(), "io.analyticsetl." + dataset.domain(), false, fields);
  }

  private static Schema avroType(Column column) {
    return switch (column.type()) {
      case BIGINT -> Schema.create(Schema.Type.LONG);
      case INT -> Schema.create(Schema.Type.INT);
      case STRING -> Schema.create(Schema.Type.STRING);
      case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
      case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
      case DECIMAL ->
          LogicalTypes.decimal(column.precision(), column.scale())
              .addToSchema(Schema.create(Schema.Type.BYTES));
      case DATE -> LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
      case TIMESTAMP -> LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    };
  }

  /** Converts a dataset row to its Avro record (raw Avro values, no logical-type conversions). */
  public static GenericRecord toRecord(Dataset dataset, Schema schema, Row row) {
    GenericData.Record record = new GenericData.Record(schema);
    for (Column column : dataset.columns()) {
      Object value = row.getValue(column.name());
      if (value == null) {
        if (!column.nullable()) {
          throw new IllegalArgumentException(
              "column " + column.name() + " of " + dataset.name() + " must not be null");
        }
        record.put(column.name(), null);
      } else {
        record.put(column.name(), toAvroValue(column, value));
      }
    }
    return record;
  }

  private static Object toAvroValue(Column column, Object value) {
    return switch (column.type()) {
      case DATE -> (int) ((LocalDate) value).toEpochDay();
      case TIMESTAMP -> ChronoUnit.MICROS.between(Instant.EPOCH, (Instant) value);
      case DECIMAL ->
          ByteBuffer.wrap(
              ((BigDecimal) value)
                  .setScale(column.scale(), RoundingMode.HALF_EVEN)
                  .unscaledValue()
                  .toByteArray());
      default -> value;
    };
  }

  /** Converts an Avro record written by {@link #toRecord} back to a dataset row. */
  public static Row toRow(Dataset dataset, GenericRecord record) {
    Row.Builder row = Row.withSchema(dataset.beamSchema());
    for (Column column : dataset.columns()) {
      Object value = record.get(column.name());
      row.addValue(value == null ? null : fromAvroValue(column, value));
    }
    return row.build();
  }

  /** The value of {@code column} in an Avro record written by {@link #toRecord}, as a dataset row holds it. */
  public static Object value(Dataset dataset, String columnName, GenericRecord record) {
    Object value = record.get(columnName);
    return value == null ? null : fromAvroValue(dataset.column(columnName), value);
  }

  private static Object fromAvroValue(Column column, Object value) {
    return switch (column.type()) {
      case STRING -> value instanceof Utf8 ? value.toString() : (String) value.toString();
      case DATE ->
          value instanceof LocalDate date ? date : LocalDate.ofEpochDay(((Number) value).longValue());
      case TIMESTAMP ->
          value instanceof Instant instant
              ? instant
              : Instant.EPOCH.plus(((Number) value).longValue(), ChronoUnit.MICROS);
      case DECIMAL -> {
        if (value instanceof BigDecimal decimal) {
          yield decimal;
        }
        ByteBuffer bytes = ((ByteBuffer) value).duplicate();
        byte[] unscaled = new byte[bytes.remaining()];
        bytes.get(unscaled);
        yield new BigDecimal(new BigInteger(unscaled), column.scale());
      }
      default -> value;
    };
  }
}
