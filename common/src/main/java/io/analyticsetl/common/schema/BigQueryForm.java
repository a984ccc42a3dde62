package io.analyticsetl.common.schema;

import com.google.api.services.bigquery.model.Clustering;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TableSchema;
import com.google.api.services.bigquery.model.TimePartitioning;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.values.Row;

/**
 * The BigQuery form of a dataset: table schema, day partitioning on the date column (other
 * partition keys become clustering columns), and rows as {@link TableRow}s.
 */
public final class BigQueryForm {

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS 'UTC'").withZone(ZoneOffset.UTC);

  private BigQueryForm() {}

  public static String type(Column column) {
    return switch (column.type()) {
      case BIGINT, INT -> "INT64";
      case STRING -> "STRING";
      case BOOLEAN -> "BOOL";
      case DOUBLE -> "FLOAT64";
      case DECIMAL -> column.precision() - column.scale() <= 29 && column.scale() <= 9 ? "NUMERIC" : "BIGNUMERIC";
      case DATE -> "DATE";
      case TIMESTAMP -> "TIMESTAMP";
    };
  }

  public static TableSchema schema(Dataset dataset) {
    List<TableFieldSchema> fields = new ArrayList<>();
    for (Column column : dataset.columns()) {
      fields.add(
          new TableFieldSchema()
              .setName(column.name())
              .setType(type(column))
              .setMode(column.nullable() ? "NULLABLE" : "REQUIRED")
              .setDescription(column.description().isEmpty() ? null : column.description()));
    }
    return new TableSchema().setFields(fields);
  }

  /** Daily partitioning on the dataset's date column, if it has one. */
  public static Optional<TimePartitioning> timePartitioning(Dataset dataset) {
    return dataset.dateColumn().map(column -> new TimePartitioning().setType("DAY").setField(column));
  }

  /** Partition keys other than the day cluster the table (e.g. app_id). */
  public static Optional<Clustering> clustering(Dataset dataset) {
    List<String> columns =
        dataset.partitionKeys().stream()
            .map(Dataset.PartitionKey::column)
            .filter(c -> dataset.column(c).type() != ColumnType.DATE)
            .toList();
    return columns.isEmpty() ? Optional.empty() : Optional.of(new Clustering().setFields(columns));
  }

  /** The partition decorator of a row's day, e.g. {@code $20260301}. */
  public static String partitionDecorator(Dataset dataset, Row row) {
    String column =
        dataset
            .dateColumn()
            .orElseThrow(() -> new IllegalArgumentException(dataset.name() + " has no date column"));
    return "$" + row.getLogicalTypeValue(column, LocalDate.class).toString().replace("-", "");
  }

  public static TableRow toTableRow(Dataset dataset, Row row) {
    TableRow tableRow = new TableRow();
    for (Column column : dataset.columns()) {
      Object value = row.getValue(column.name());
      if (value == null) {
        continue;
      }
      tableRow.set(
          column.name(),
          switch (column.type()) {
            case DATE -> value.toString();
            case TIMESTAMP -> TIMESTAMP.format((Instant) value);
            case DECIMAL -> ((BigDecimal) value).setScale(column.scale(), java.math.RoundingMode.HALF_EVEN).toPlainString();
            case INT -> ((Integer) value).longValue();
            default -> value;
          });
    }
    return tableRow;
  }

  /**
   * Reads a row back from BigQuery's JSON form, accepting numbers as numbers or strings and
   * timestamps as {@code yyyy-MM-dd HH:mm:ss[.ffffff] UTC} text or epoch seconds.
   */
  public static Row fromTableRow(Dataset dataset, TableRow tableRow) {
    Row.Builder row = Row.withSchema(dataset.beamSchema());
    for (Column column : dataset.columns()) {
      Object value = tableRow.get(column.name());
      if (value == null) {
        row.addValue(null);
        continue;
      }
      String text = value.toString();
      row.addValue(
          switch (column.type()) {
            case BIGINT -> value instanceof Number n ? n.longValue() : Long.parseLong(text);
            case INT -> value instanceof Number n ? n.intValue() : Integer.parseInt(text);
            case STRING -> text;
            case BOOLEAN -> value instanceof Boolean b ? b : Boolean.parseBoolean(text);
            case DOUBLE -> value instanceof Number n ? n.doubleValue() : Double.parseDouble(text);
            case DECIMAL -> new BigDecimal(text).setScale(column.scale(), java.math.RoundingMode.HALF_EVEN);
            case DATE -> LocalDate.parse(text);
            case TIMESTAMP -> parseTimestamp(text);
          });
    }
    return row.build();
  }

  private static Instant parseTimestamp(String text) {
    if (text.endsWith(" UTC")) {
      String local = text.substring(0, text.length() - 4).replace(' ', 'T');
      return java.time.LocalDateTime.parse(local).toInstant(ZoneOffset.UTC);
    }
    BigDecimal seconds = new BigDecimal(text);
    return Instant.EPOCH.plusNanos(seconds.movePointRight(9).longValueExact());
  }

  /** BigQuery DDL for the table {@code project.dataset.table}, for {@code --printDdl=bigquery}. */
  public static String createTable(Dataset dataset, String tableId) {
    List<String> columns = new ArrayList<>();
    for (Column column : dataset.columns()) {
      String description = column.description().replace("\\", "\\\\").replace("\"", "\\\"");
      columns.add(
          "  "
              + column.name()
              + " "
              + type(column)
              + (column.nullable() ? "" : " NOT NULL")
              + (description.isEmpty() ? "" : " OPTIONS(description=\"" + description + "\")"));
    }
    if (!dataset.naturalKey().isEmpty()) {
      // Upserts through the Storage Write API's change data capture need the key (BigQuery does not enforce it).
      columns.add("  PRIMARY KEY (" + String.join(", ", dataset.naturalKey()) + ") NOT ENFORCED");
    }
    StringBuilder ddl =
        new StringBuilder("CREATE TABLE IF NOT EXISTS `" + tableId + "` (\n")
            .append(String.join(",\n", columns))
            .append("\n)");
    timePartitioning(dataset).ifPresent(p -> ddl.append("\nPARTITION BY ").append(p.getField()));
    clustering(dataset).ifPresent(c -> ddl.append("\nCLUSTER BY ").append(String.join(", ", c.getFields())));
    return ddl.toString();
  }
}
