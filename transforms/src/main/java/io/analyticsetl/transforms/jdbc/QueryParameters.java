package io.analyticsetl.transforms.jdbc;

import java.io.Serializable;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.coders.SerializableCoder;

/**
 * Values bound, in order, to a query's {@code ?} placeholders. Values are never placed in SQL text.
 * Supported: Long, Integer, String, Boolean, BigDecimal, LocalDate, Instant (bound as a UTC
 * timestamp with time zone).
 */
@DefaultCoder(SerializableCoder.class)
public record QueryParameters(List<Object> values) implements Serializable {

  public QueryParameters {
    for (Object value : values) {
      if (value != null
          && !(value instanceof Long
              || value instanceof Integer
              || value instanceof String
              || value instanceof Boolean
              || value instanceof BigDecimal
              || value instanceof LocalDate
              || value instanceof Instant)) {
        throw new IllegalArgumentException("unsupported query parameter type: " + value.getClass());
      }
    }
    values = java.util.Collections.unmodifiableList(new ArrayList<>(values));
  }

  public static QueryParameters of(Object... values) {
    return new QueryParameters(Arrays.asList(values));
  }

  public QueryParameters plus(Object... more) {
    List<Object> all = new ArrayList<>(values);
    all.addAll(Arrays.asList(more));
    return new QueryParameters(all);
  }

  public void bind(PreparedStatement statement) throws SQLException {
    for (int i = 0; i < values.size(); i++) {
      Object value = values.get(i);
      if (value instanceof Instant instant) {
        statement.setObject(i + 1, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
      } else {
        statement.setObject(i + 1, value);
      }
    }
  }
}
