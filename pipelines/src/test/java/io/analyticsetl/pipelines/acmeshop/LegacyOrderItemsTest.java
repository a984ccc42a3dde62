package io.analyticsetl.pipelines.acmeshop;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.math.BigDecimal;
import java.time.Instant;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

class LegacyOrderItemsTest {

  private static Row element(String itemsType, String json) {
    return Row.withSchema(LegacyOrderItems.ELEMENT)
        .addValues(7L, itemsType, json, true, "paid", Instant.parse("2026-03-01T10:00:00Z"), 3L, "EUR", new BigDecimal("9.00"),
            true, "Kettle", "kitchen")
        .build();
  }

  @Test
  void numbersAndNumericStringsAreTypedExactly() {
    Row item = LegacyOrderItems.item(element("array", "{\"product_id\": 12, \"quantity\": \"3\", \"unit_price\": 12000000.50}"));
    assertThat(item.getInt64("product_id"), is(12L));
    assertThat(item.getInt32("quantity"), is(3));
    assertThat(item.getDecimal("unit_price"), is(new BigDecimal("12000000.50")));
    assertThat(item.getString("item_error"), nullValue());
  }

  @Test
  void whatAnElementGetsWrongIsKeptForValidation() {
    Row item = LegacyOrderItems.item(element("array", "{\"product_id\": 1.5, \"quantity\": 99999999999, \"unit_price\": \"4.125\"}"));
    assertThat(item.getString("item_error"), is("product_id \"1.5\" is not an integer id; quantity 99999999999 is out of range;"
        + " unit_price \"4.125\" is not an amount with at most two decimals in {\"product_id\": 1.5, \"quantity\": 99999999999,"
        + " \"unit_price\": \"4.125\"}"));
    assertThat(LegacyOrderItems.item(element("object", "{}")).getString("item_error"), is("items is a JSON object, not an array in {}"));
  }
}
