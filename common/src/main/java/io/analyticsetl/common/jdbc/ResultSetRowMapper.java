package io.analyticsetl.common.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.Calendar;
import java.util.TimeZone;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.values.Row;

/**
 * Maps result-set columns to the fields of a Beam schema by name. Timestamps are read as UTC
 * instants (for {@code timestamptz} the stored instant; a plain {@code timestamp} is taken as UTC).
 */
public final class ResultSetRowMapper implements JdbcIO.RowMapper<Row> {

  private final Schema schema;

  public ResultSetRowMapper(Schema schema) {
    this.schema = schema;
  }

  @Override
  public Row mapRow(ResultSet rs) throws SQLException {
    Row.Builder row = Row.withSchema(schema);
    for (Schema.Field field : schema.getFields()) {
      row.addValue(read(rs, rs.findColumn(field.getName()), field.getType()));
    }
    return row.build();
  }

  private static Object read(ResultSet rs, int column, Schema.FieldType type) throws SQLException {
    Object value;
    if (type.getTypeName() == Schema.TypeName.LOGICAL_TYPE) {
      String id = type.getLogicalType().getIdentifier();
      if (id.equals(SqlTypes.DATE.getIdentifier())) {
        value = rs.getObject(column, LocalDate.class);
      } else if (id.equals(SqlTypes.TIMESTAMP.getIdentifier())) {
        Timestamp timestamp = rs.getTimestamp(column, Calendar.getInstance(TimeZone.getTimeZone("UTC")));
        value = timestamp == null ? null : timestamp.toInstant();
      } else {
        throw new IllegalArgumentException("unsupported logical type " + id);
      }
    } else {
      value =
          switch (type.getTypeName()) {
            case INT64 -> rs.getLong(column);
            case INT32 -> rs.getInt(column);
            case INT16 -> rs.getShort(column);
            case DOUBLE -> rs.getDouble(column);
            case BOOLEAN -> rs.getBoolean(column);
            case DECIMAL -> rs.getBigDecimal(column);
            case STRING -> rs.getString(column);
            default -> throw new IllegalArgumentException("unsupported column type " + type);
          };
      if (rs.wasNull()) {
        value = null;
      }
    }
    return value;
  }
}
