package io.analyticsetl.common.jdbc;

import io.analyticsetl.common.schema.Column;
import io.analyticsetl.common.schema.Dataset;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.beam.sdk.values.Row;

/** Binds a dataset row's columns, in dataset order, to a statement's parameters. */
public final class RowBinder {

  private RowBinder() {}

  public static void bind(PreparedStatement statement, Dataset dataset, Row row) throws SQLException {
    bind(statement, dataset.columns(), row, 1);
  }

  /** Binds {@code columns} of {@code row} starting at parameter {@code first}. */
  public static void bind(PreparedStatement statement, List<Column> columns, Row row, int first)
      throws SQLException {
    int index = first;
    for (Column column : columns) {
      Object value = row.getValue(column.name());
      if (value == null) {
        statement.setNull(index, sqlType(column));
      } else if (value instanceof Instant instant) {
        statement.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
      } else {
        statement.setObject(index, value);
      }
      index++;
    }
  }

  private static int sqlType(Column column) {
    return switch (column.type()) {
      case BIGINT -> Types.BIGINT;
      case INT -> Types.INTEGER;
      case STRING -> Types.VARCHAR;
      case BOOLEAN -> Types.BOOLEAN;
      case DOUBLE -> Types.DOUBLE;
      case DECIMAL -> Types.NUMERIC;
      case DATE -> Types.DATE;
      case TIMESTAMP -> Types.TIMESTAMP_WITH_TIMEZONE;
    };
  }
}
