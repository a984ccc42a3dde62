package io.analyticsetl.pipelines.acmeshop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.analyticsetl.common.json.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.values.Row;

/**
 * The v1 layout's order items, elements of a JSON array on the order, typed into the rows the v2
 * table gives. What an element gets wrong (not an object, an id or quantity that is not an integer, a
 * price that is not an amount of at most two decimals) is kept in {@code item_error} for validation
 * to dead-letter, with the element as stored.
 */
final class LegacyOrderItems {

  /** One element as the v1 query returns it. */
  static final Schema ELEMENT =
      Schema.builder()
          .addInt64Field("order_id")
          .addNullableField("items_type", FieldType.STRING)
          .addNullableField("item_json", FieldType.STRING)
          .addBooleanField("order_exists")
          .addNullableField("order_status", FieldType.STRING)
          .addNullableField("order_created_at", FieldType.logicalType(SqlTypes.TIMESTAMP).withNullable(true))
          .addNullableField("order_user_id", FieldType.INT64)
          .addNullableField("order_currency", FieldType.STRING)
          .addNullableField("order_total_amount", FieldType.DECIMAL)
          .addBooleanField("product_exists")
          .addNullableField("product_name", FieldType.STRING)
          .addNullableField("category", FieldType.STRING)
          .build();

  // The same forms the query joins products on.
  private static final Pattern ID = Pattern.compile("-?[0-9]{1,18}");
  private static final Pattern AMOUNT = Pattern.compile("-?[0-9]{1,10}(\\.[0-9]{1,2})?");

  /** Decimals as written, never through a double (which prints 12000000.5 as 1.20000005E7). */
  private static final ObjectReader EXACT = Json.MAPPER.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private LegacyOrderItems() {}

  /** The element as a row of {@link AcmeshopSources#ITEM}. */
  static Row item(Row element) {
    List<String> errors = new ArrayList<>();
    JsonNode item = null;
    if (!"array".equals(element.getString("items_type"))) {
      errors.add("items is a JSON " + element.getString("items_type") + ", not an array");
    } else {
      try {
        item = EXACT.readTree(element.getString("item_json"));
      } catch (JsonProcessingException e) {
        errors.add("items element is not JSON"); // cannot happen for jsonb, kept for the record
      }
      if (item != null && !item.isObject()) {
        errors.add("items element is a JSON " + item.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ", not an object");
        item = null;
      }
    }
    String productId = item == null ? null : scalar(item, "product_id");
    String quantity = item == null ? null : scalar(item, "quantity");
    String unitPrice = item == null ? null : scalar(item, "unit_price");
    Long product = parsed(productId, ID, "product_id", "an integer id", errors) ? Long.valueOf(productId) : null;
    Integer units = null;
    if (parsed(quantity, ID, "quantity", "an integer", errors)) {
      long value = Long.parseLong(quantity);
      if (value != (int) value) {
        errors.add("quantity " + quantity + " is out of range");
      } else {
        units = (int) value;
      }
    }
    BigDecimal price = parsed(unitPrice, AMOUNT, "unit_price", "an amount with at most two decimals", errors) ? new BigDecimal(unitPrice).setScale(2) : null;
    return Row.withSchema(AcmeshopSources.ITEM)
        .withFieldValue("order_id", element.getInt64("order_id"))
        .withFieldValue("product_id", product)
        .withFieldValue("quantity", units)
        .withFieldValue("unit_price", price)
        .withFieldValue("order_exists", element.getBoolean("order_exists"))
        .withFieldValue("order_status", element.getString("order_status"))
        .withFieldValue("order_created_at", element.getValue("order_created_at"))
        .withFieldValue("order_user_id", element.getInt64("order_user_id"))
        .withFieldValue("order_currency", element.getString("order_currency"))
        .withFieldValue("order_total_amount", element.getDecimal("order_total_amount"))
        .withFieldValue("product_exists", element.getBoolean("product_exists"))
        .withFieldValue("product_name", element.getString("product_name"))
        .withFieldValue("category", element.getString("category"))
        .withFieldValue("item_error", errors.isEmpty() ? null : String.join("; ", errors) + " in " + element.getString("item_json"))
        .build();
  }

  /** A field's number or string as text; null when missing or JSON null; an object or array as JSON. */
  private static String scalar(JsonNode item, String field) {
    JsonNode value = item.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isNumber()) {
      return value.decimalValue().toPlainString();
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  /** True when {@code text} has the form; a missing value is left to the required rules. */
  private static boolean parsed(String text, Pattern form, String field, String what, List<String> errors) {
    if (text == null) {
      return false;
    }
    if (!form.matcher(text).matches()) {
      errors.add(field + " \"" + text + "\" is not " + what);
      return false;
    }
    return true;
  }
}
