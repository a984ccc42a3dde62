package io.analyticsetl.common.schema;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.values.Row;

/**
 * The single definition of a dataset: its domain, columns, natural key, partitioning and write
 * semantics. Every physical form (Beam rows, Parquet/Avro, BigQuery, SQL and Athena DDL) is derived
 * from it, so a column is named and typed in exactly one place.
 */
public final class Dataset implements Serializable {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  /** A Hive-style partition folder level, {@code <name>=<value of column>}. */
  public record PartitionKey(String name, String column) implements Serializable {}

  private final String domain;
  private final String zone;
  private final String name;
  private final String description;
  private final List<Column> columns;
  private final List<String> naturalKey;
  private final List<PartitionKey> partitionKeys;
  private final WriteMode writeMode;
  private final String versionColumn;
  private transient Schema beamSchema;

  private Dataset(Builder builder) {
    this.domain = builder.domain;
    this.zone = builder.zone;
    this.name = builder.name;
    this.description = builder.description;
    this.columns = List.copyOf(builder.columns.values());
    this.naturalKey = List.copyOf(builder.naturalKey);
    this.partitionKeys = List.copyOf(builder.partitionKeys);
    this.writeMode = builder.writeMode;
    this.versionColumn = builder.versionColumn;
  }

  public static Builder builder(String domain, String name) {
    return new Builder(domain, name);
  }

  public String domain() {
    return domain;
  }

  public String name() {
    return name;
  }

  /** The zone (e.g. {@code curated}) when the domain keeps several, else null. */
  public String zone() {
    return zone;
  }

  /** The folder below the output root: {@code <domain>[/<zone>]/<name>}. */
  public String relativePath() {
    return domain + "/" + (zone == null ? "" : zone + "/") + name;
  }

  /** The table name in SQL engines: {@code [<zone>_]<name>}, e.g. {@code curated_downloads}. */
  public String tableName() {
    return zone == null ? name : zone + "_" + name;
  }

  public String description() {
    return description;
  }

  public List<Column> columns() {
    return columns;
  }

  public List<String> naturalKey() {
    return naturalKey;
  }

  public List<PartitionKey> partitionKeys() {
    return partitionKeys;
  }

  public WriteMode writeMode() {
    return writeMode;
  }

  /**
   * The column that orders versions of an upserted row (e.g. {@code extracted_at}): a sink keeps the
   * row with the newest version, so replaying older data does not undo newer data. Without one, the
   * row written last wins.
   */
  public Optional<String> versionColumn() {
    return Optional.ofNullable(versionColumn);
  }

  /** Whether {@code stored} is a newer version of its row than {@code incoming} (never without a version column). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public boolean isNewer(Row stored, Row incoming) {
    if (versionColumn == null) {
      return false;
    }
    Comparable storedVersion = (Comparable) stored.getValue(versionColumn);
    Comparable incomingVersion = (Comparable) incoming.getValue(versionColumn);
    return storedVersion.compareTo(incomingVersion) > 0;
  }

  /** The column holding the dataset's day, when it is partitioned by day. */
  public Optional<String> dateColumn() {
    return partitionKeys.stream()
        .map(PartitionKey::column)
        .filter(c -> column(c).type() == ColumnType.DATE)
        .findFirst();
  }

  public Column column(String columnName) {
    return columns.stream()
        .filter(c -> c.name().equals(columnName))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("dataset " + name + " has no column " + columnName));
  }

  /** The Beam schema of this dataset's rows. */
  public Schema beamSchema() {
    if (beamSchema == null) {
      Schema.Builder schema = Schema.builder();
      for (Column column : columns) {
        Schema.FieldType type = beamType(column);
        schema.addField(Schema.Field.of(column.name(), type.withNullable(column.nullable())));
      }
      beamSchema = schema.build();
    }
    return beamSchema;
  }

  /**
   * The partition of one day, e.g. {@code dt=2026-03-01}, for a dataset partitioned by its day
   * column alone (whose day partitions a run can replace whole, rows or none).
   */
  public String dayPartitionPath(java.time.LocalDate day) {
    String dayColumn = dateColumn().orElse(null);
    if (partitionKeys.size() != 1 || !partitionKeys.get(0).column().equals(dayColumn)) {
      throw new IllegalArgumentException(name + " is not partitioned by its day column alone");
    }
    return partitionKeys.get(0).name() + "=" + day;
  }

  /** The relative partition folder of a row, e.g. {@code dt=2026-03-01/app_id=7}; "" if none. */
  public String partitionPath(Row row) {
    StringBuilder path = new StringBuilder();
    for (PartitionKey key : partitionKeys) {
      Object value = row.getValue(key.column());
      if (value == null) {
        throw new IllegalArgumentException(
            "partition column " + key.column() + " of " + name + " is null in " + row);
      }
      if (path.length() > 0) {
        path.append('/');
      }
      path.append(key.name()).append('=').append(value);
    }
    return path.toString();
  }

  /** The natural key of a row as a row of the key columns. */
  public Row keyOf(Row row) {
    Row.Builder key = Row.withSchema(keySchema());
    for (String column : naturalKey) {
      key.addValue(row.getValue(column));
    }
    return key.build();
  }

  public Schema keySchema() {
    Schema schema = beamSchema();
    Schema.Builder key = Schema.builder();
    for (String column : naturalKey) {
      key.addField(schema.getField(column));
    }
    return key.build();
  }

  static Schema.FieldType beamType(Column column) {
    return switch (column.type()) {
      case BIGINT -> Schema.FieldType.INT64;
      case INT -> Schema.FieldType.INT32;
      case STRING -> Schema.FieldType.STRING;
      case BOOLEAN -> Schema.FieldType.BOOLEAN;
      case DOUBLE -> Schema.FieldType.DOUBLE;
      case DECIMAL -> Schema.FieldType.DECIMAL;
      case DATE -> Schema.FieldType.logicalType(SqlTypes.DATE);
      case TIMESTAMP -> Schema.FieldType.logicalType(SqlTypes.TIMESTAMP);
    };
  }

  @Override
  public String toString() {
    return domain + "." + name;
  }

  /** Builds a dataset definition; {@link #build()} checks that it is consistent. */
  public static final class Builder {
    private final String domain;
    private final String name;
    private String zone;
    private String description = "";
    private final Map<String, Column> columns = new LinkedHashMap<>();
    private final List<String> naturalKey = new ArrayList<>();
    private final List<PartitionKey> partitionKeys = new ArrayList<>();
    private WriteMode writeMode = WriteMode.UPSERT;
    private String versionColumn;

    private Builder(String domain, String name) {
      if (!NAME.matcher(domain).matches() || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("invalid dataset name: " + domain + "." + name);
      }
      this.domain = domain;
      this.name = name;
    }

    /** Places the dataset in a zone of its domain (folder and table-name prefix). */
    public Builder zone(String zoneName) {
      if (!NAME.matcher(zoneName).matches()) {
        throw new IllegalArgumentException("invalid zone name: " + zoneName);
      }
      this.zone = zoneName;
      return this;
    }

    public Builder description(String text) {
      this.description = text;
      return this;
    }

    public Builder column(String columnName, ColumnType type, String text) {
      return add(Column.of(columnName, type, false, text));
    }

    public Builder nullableColumn(String columnName, ColumnType type, String text) {
      return add(Column.of(columnName, type, true, text));
    }

    public Builder decimalColumn(String columnName, int precision, int scale, boolean nullable, String text) {
      return add(Column.decimal(columnName, precision, scale, nullable, text));
    }

    private Builder add(Column column) {
      if (columns.putIfAbsent(column.name(), column) != null) {
        throw new IllegalArgumentException("duplicate column " + column.name() + " in " + name);
      }
      return this;
    }

    public Builder naturalKey(String... keyColumns) {
      Collections.addAll(naturalKey, keyColumns);
      return this;
    }

    /** Adds a Hive-style partition level named {@code partitionName} taken from a column. */
    public Builder partitionedBy(String partitionName, String columnName) {
      partitionKeys.add(new PartitionKey(partitionName, columnName));
      return this;
    }

    public Builder writeMode(WriteMode mode) {
      this.writeMode = mode;
      return this;
    }

    /** See {@link Dataset#versionColumn()}: a non-null TIMESTAMP column of an upserted dataset. */
    public Builder versionColumn(String columnName) {
      this.versionColumn = columnName;
      return this;
    }

    public Dataset build() {
      if (columns.isEmpty()) {
        throw new IllegalArgumentException("dataset " + name + " has no columns");
      }
      for (String key : naturalKey) {
        requireColumn(key, "natural key");
      }
      for (PartitionKey key : partitionKeys) {
        Column column = requireColumn(key.column(), "partition");
        if (column.nullable()) {
          throw new IllegalArgumentException(
              "partition column " + key.column() + " of " + name + " must not be nullable");
        }
      }
      if (versionColumn != null) {
        Column version = requireColumn(versionColumn, "version");
        if (version.nullable() || version.type() != ColumnType.TIMESTAMP || writeMode != WriteMode.UPSERT) {
          throw new IllegalArgumentException(
              "version column " + versionColumn + " of " + name + " must be a non-null TIMESTAMP of an upserted dataset");
        }
      }
      if (writeMode == WriteMode.UPSERT && naturalKey.isEmpty()) {
        throw new IllegalArgumentException("dataset " + name + " is upserted but has no natural key");
      }
      return new Dataset(this);
    }

    private Column requireColumn(String columnName, String role) {
      Column column = columns.get(columnName);
      if (column == null) {
        throw new IllegalArgumentException(
            role + " column " + columnName + " is not a column of " + name);
      }
      return column;
    }
  }
}
