package io.analyticsetl.pipelines.acmeshop;

import static io.analyticsetl.pipelines.acmeshop.AcmeshopDatasets.ORDER_METRICS_DAILY;

import io.analyticsetl.common.values.Days;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/** order_metrics_daily from the valid orders created on the days computed. */
final class OrderMetrics extends PTransform<PCollection<Row>, PCollection<Row>> {

  static boolean cancelledOrRefunded(String status) {
    return status.equals("cancelled") || status.equals("refunded");
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> orders) {
    return Grouping.by(
            orders,
            "DayAndCurrency",
            order ->
                List.of(
                    Days.utcDay(order.getLogicalTypeValue("created_at", Instant.class)).toString(),
                    order.getString("currency")))
        .apply("Metrics", ParDo.of(new Metrics()))
        .setRowSchema(ORDER_METRICS_DAILY.beamSchema());
  }

  private static final class Metrics extends DoFn<KV<List<String>, Iterable<Row>>, Row> {
    @ProcessElement
    public void process(@Element KV<List<String>, Iterable<Row>> group, OutputReceiver<Row> out) {
      long orders = 0;
      long cancelled = 0;
      long refunded = 0;
      BigDecimal revenue = BigDecimal.ZERO;
      Set<Long> customers = new HashSet<>();
      for (Row order : group.getValue()) {
        orders++;
        String status = order.getString("status");
        cancelled += status.equals("cancelled") ? 1 : 0;
        refunded += status.equals("refunded") ? 1 : 0;
        if (!cancelledOrRefunded(status)) {
          revenue = revenue.add(order.getDecimal("total_amount"));
        }
        customers.add(order.getInt64("user_id"));
      }
      out.output(
          Row.withSchema(ORDER_METRICS_DAILY.beamSchema())
              .addValues(
                  LocalDate.parse(group.getKey().get(0)),
                  group.getKey().get(1),
                  orders,
                  cancelled,
                  refunded,
                  revenue,
                  Grouping.average(revenue, orders - cancelled - refunded),
                  (long) customers.size())
              .build());
    }
  }
}
