package io.analyticsetl.pipelines.acmeshop;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/** Grouping of source rows by the text of their group columns, and the ratios the metrics share. */
final class Grouping {

  private Grouping() {}

  /** Groups rows by a key of texts, e.g. {@code [day, currency]}. */
  static PCollection<KV<List<String>, Iterable<Row>>> by(
      PCollection<Row> rows, String name, SerializableFunction<Row, List<String>> key) {
    return rows.apply("KeyBy" + name, WithKeys.of(key))
        .setCoder(KvCoder.of(ListCoder.of(StringUtf8Coder.of()), SchemaCoder.of(rows.getSchema())))
        .apply("GroupBy" + name, GroupByKey.create())
        .setCoder(
            KvCoder.of(
                ListCoder.of(StringUtf8Coder.of()), IterableCoder.of(SchemaCoder.of(rows.getSchema()))));
  }

  /** numerator / denominator as a fraction; null when the denominator is 0. */
  static Double rate(long numerator, long denominator) {
    return denominator == 0 ? null : (double) numerator / denominator;
  }

  /** Money divided and rounded half-even to cents; null when the divisor is 0. */
  static BigDecimal average(BigDecimal total, long count) {
    return count == 0 ? null : total.divide(BigDecimal.valueOf(count), 2, RoundingMode.HALF_EVEN);
  }
}
