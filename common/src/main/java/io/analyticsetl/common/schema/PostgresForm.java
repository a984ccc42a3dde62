package io.analyticsetl.common.schema;

import java.util.ArrayList;
import java.util.List;

/** The PostgreSQL form of a dataset: column types and the table's DDL. */
public final class PostgresForm {

  private PostgresForm() {}

  public static String type(Column column) {
    return switch (column.type()) {
      case BIGINT -> "BIGINT";
      case INT -> "INTEGER";
      case STRING -> "TEXT";
      case BOOLEAN -> "BOOLEAN";
      case DOUBLE -> "DOUBLE PRECISION";
      case DECIMAL -> "NUMERIC(" + column.precision() + "," + column.scale() + ")";
      case DATE -> "DATE";
      case TIMESTAMP -> "TIMESTAMPTZ";
    };
  }

  /**
   * {@code CREATE TABLE IF NOT EXISTS <schema>.<dataset>} with a primary key on the natural key.
   * {@code schema} must already be a checked identifier.
   */
  public static String createTable(Dataset dataset, String schema) {
    return createTable(dataset, schema, dataset.tableName());
  }

  public static String createTable(Dataset dataset, String schema, String table) {
    List<String> lines = new ArrayList<>();
    for (Column column : dataset.columns()) {
      lines.add("  " + column.name() + " " + type(column) + (column.nullable() ? "" : " NOT NULL"));
    }
    if (!dataset.naturalKey().isEmpty()) {
      lines.add("  PRIMARY KEY (" + String.join(", ", dataset.naturalKey()) + ")");
    }
    return "CREATE TABLE IF NOT EXISTS "
        + schema
        + "."
        + table
        + " (\n"
        + String.join(",\n", lines)
        + "\n)";
  }

  /**
   * {@code ALTER TABLE ... ADD COLUMN IF NOT EXISTS} for a nullable column a later version of the
   * dataset added: the table's existing rows read it as NULL.
   */
  public static String addColumn(Dataset dataset, String schema, Column column) {
    if (!column.nullable()) {
      throw new IllegalArgumentException("only a nullable column can be added to existing rows: " + column.name());
    }
    return "ALTER TABLE " + schema + "." + dataset.tableName() + " ADD COLUMN IF NOT EXISTS " + column.name() + " " + type(column);
  }

  /** {@code INSERT INTO <schema>.<dataset> (<columns>) VALUES (?, ...)}, columns in dataset order. */
  public static String insert(Dataset dataset, String schema) {
    return insertInto(dataset, schema, schema + "." + dataset.tableName());
  }

  private static String insertInto(Dataset dataset, String schema, String target) {
    List<String> names = dataset.columns().stream().map(Column::name).toList();
    return "INSERT INTO "
        + target
        + " ("
        + String.join(", ", names)
        + ") VALUES ("
        + String.join(", ", names.stream().map(n -> "?").toList())
        + ")";
  }

  /**
   * {@link #insert} plus {@code ON CONFLICT (natural key) DO UPDATE SET <other columns>}; with a
   * version column, only {@code WHERE} the stored row is not newer than the incoming one.
   */
  public static String upsert(Dataset dataset, String schema) {
    if (dataset.naturalKey().isEmpty()) {
      return insert(dataset, schema);
    }
    List<String> updates =
        dataset.columns().stream()
            .map(Column::name)
            .filter(name -> !dataset.naturalKey().contains(name))
            .map(name -> name + " = EXCLUDED." + name)
            .toList();
    return insertInto(dataset, schema, schema + "." + dataset.tableName() + " AS stored")
        + " ON CONFLICT ("
        + String.join(", ", dataset.naturalKey())
        + ") DO "
        + (updates.isEmpty() ? "NOTHING" : "UPDATE SET " + String.join(", ", updates))
        + (updates.isEmpty() ? "" : dataset.versionColumn().map(v -> " WHERE stored." + v + " <= EXCLUDED." + v).orElse(""));
  }

  /**
   * {@code DELETE} of the row with a natural key; with a version column, only while the stored row
   * is not newer than the deletion. Its parameters are {@link #deletionColumns}, in that order.
   */
  public static String delete(Dataset dataset, String schema) {
    List<String> conditions = new ArrayList<>(dataset.naturalKey().stream().map(name -> name + " = ?").toList());
    dataset.versionColumn().ifPresent(v -> conditions.add(v + " <= ?"));
    return "DELETE FROM " + schema + "." + dataset.tableName() + " WHERE " + String.join(" AND ", conditions);
  }

  /** The natural key's columns, then the version column if any: what a deletion binds. */
  public static List<Column> deletionColumns(Dataset dataset) {
    List<Column> columns = new ArrayList<>();
    dataset.naturalKey().forEach(name -> columns.add(dataset.column(name)));
    dataset.versionColumn().ifPresent(v -> columns.add(dataset.column(v)));
    return columns;
  }
}
