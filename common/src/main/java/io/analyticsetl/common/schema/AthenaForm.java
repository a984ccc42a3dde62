package io.analyticsetl.common.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Athena (Hive DDL) form of a dataset's Parquet layout: {@code CREATE EXTERNAL TABLE ...
 * STORED AS PARQUET} with partition projection, so new partitions need no {@code MSCK REPAIR}.
 * A day partition ({@code dt}) is a date projection; any other partition key is an enum projection
 * of the values the run's options fix (the configured apps), else an injected projection, which
 * Athena only accepts in queries that name the key's value. A column
 * that is also a partition key (app_id) is declared once, as the partition key.
 */
public final class AthenaForm {

  /**
   * The first day a date partition projects: before any source's history (a shop integration made
   * in 2014 has days then), not so early that a query without a day filter lists decades of folders.
   */
  static final String FIRST_PROJECTED_DAY = "2000-01-01";

  private AthenaForm() {}

  public static String type(Column column) {
    return switch (column.type()) {
      case BIGINT -> "bigint";
      case INT -> "int";
      case STRING -> "string";
      case BOOLEAN -> "boolean";
      case DOUBLE -> "double";
      case DECIMAL -> "decimal(" + column.precision() + "," + column.scale() + ")";
      case DATE -> "date";
      case TIMESTAMP -> "timestamp";
    };
  }

  /**
   * The DDL for a table over {@code location} (the dataset's folder, e.g. {@code
   * s3://bucket/prefix/ecommerce/integration_usage_daily/}); {@code table} is the Athena table name.
   */
  public static String createExternalTable(
      Dataset dataset, String database, String table, String location, Map<String, List<String>> partitionValues) {
    List<String> partitionNames =
        dataset.partitionKeys().stream().map(Dataset.PartitionKey::name).toList();
    List<String> columns = new ArrayList<>();
    for (Column column : dataset.columns()) {
      // Athena refuses a name that is both a column and a partition key; the partition supplies it.
      if (!partitionNames.contains(column.name())) {
        columns.add("  `" + column.name() + "` " + type(column));
      }
    }
    StringBuilder ddl = new StringBuilder();
    ddl.append("CREATE EXTERNAL TABLE IF NOT EXISTS `")
        .append(database)
        .append("`.`")
        .append(table)
        .append("` (\n")
        .append(String.join(",\n", columns))
        .append("\n)");
    if (!partitionNames.isEmpty()) {
      List<String> partitions = new ArrayList<>();
      for (Dataset.PartitionKey key : dataset.partitionKeys()) {
        Column column = dataset.column(key.column());
        partitions.add(
            "  `" + key.name() + "` " + (column.type() == ColumnType.DATE ? "string" : type(column)));
      }
      ddl.append("\nPARTITIONED BY (\n").append(String.join(",\n", partitions)).append("\n)");
    }
    String folder = location.endsWith("/") ? location : location + "/";
    ddl.append("\nSTORED AS PARQUET\nLOCATION '").append(folder).append("'");
    ddl.append("\nTBLPROPERTIES (\n  'parquet.compression' = 'SNAPPY'");
    if (!partitionNames.isEmpty()) {
      ddl.append(",\n  'projection.enabled' = 'true'");
      List<String> template = new ArrayList<>();
      for (Dataset.PartitionKey key : dataset.partitionKeys()) {
        Column column = dataset.column(key.column());
        String prefix = "  'projection." + key.name();
        if (column.type() == ColumnType.DATE) {
          ddl.append(",\n").append(prefix).append(".type' = 'date'");
          ddl.append(",\n").append(prefix).append(".format' = 'yyyy-MM-dd'");
          ddl.append(",\n").append(prefix).append(".range' = '" + FIRST_PROJECTED_DAY + ",NOW'");
          ddl.append(",\n").append(prefix).append(".interval' = '1'");
          ddl.append(",\n").append(prefix).append(".interval.unit' = 'DAYS'");
        } else if (!partitionValues.getOrDefault(key.name(), List.of()).isEmpty()) {
          ddl.append(",\n").append(prefix).append(".type' = 'enum'");
          ddl.append(",\n").append(prefix).append(".values' = '").append(String.join(",", partitionValues.get(key.name()))).append("'");
        } else {
          ddl.append(",\n").append(prefix).append(".type' = 'injected'");
        }
        template.add(key.name() + "=${" + key.name() + "}");
      }
      ddl.append(",\n  'storage.location.template' = '")
          .append(folder)
          .append(String.join("/", template))
          .append("/'");
    }
    ddl.append("\n)");
    return ddl.toString();
  }
}
