package io.analyticsetl.common.schema;

import java.io.Serializable;
import java.util.Objects;
import java.util.regex.Pattern;

/** One column of a dataset: name, type, nullability, and for decimals precision and scale. */
public record Column(
    String name, ColumnType type, boolean nullable, int precision, int scale, String description)
    implements Serializable {

  /** Column names are used unquoted in SQL and as Avro field names, so they stay simple. */
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  public Column {
    Objects.requireNonNull(type, "type");
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid column name: " + name);
    }
    if (type == ColumnType.DECIMAL && (precision < 1 || scale < 0 || scale > precision)) {
      throw new IllegalArgumentException(
          "decimal column " + name + " needs 1 <= precision and 0 <= scale <= precision");
    }
    description = description == null ? "" : description;
  }

  public static Column of(String name, ColumnType type, boolean nullable, String description) {
    return new Column(name, type, nullable, 0, 0, description);
  }

  public static Column decimal(
      String name, int precision, int scale, boolean nullable, String description) {
    return new Column(name, ColumnType.DECIMAL, nullable, precision, scale, description);
  }
}
