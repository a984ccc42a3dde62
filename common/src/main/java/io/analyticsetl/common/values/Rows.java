package io.analyticsetl.common.values;

import io.analyticsetl.common.json.Json;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/** Row helpers shared by dead letters and validation messages. */
public final class Rows {

  private Rows() {}

  /** The row as a flat JSON object; dates, instants and decimals as their ISO/plain text. */
  public static String toJson(Row row) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (Schema.Field field : row.getSchema().getFields()) {
      Object value = row.getValue(field.getName());
      if (value instanceof BigDecimal decimal) {
        value = decimal.toPlainString();
      } else if (value != null
          && !(value instanceof Number)
          && !(value instanceof Boolean)
          && !(value instanceof String)) {
        value = value.toString();
      }
      fields.put(field.getName(), value);
    }
    return Json.write(fields);
  }
}
