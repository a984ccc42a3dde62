package io.analyticsetl.pipelines.acmeshop;

import static io.analyticsetl.pipelines.acmeshop.AcmeshopDatasets.NOTIFICATION_METRICS_DAILY;

import io.analyticsetl.common.values.Days;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/** notification_metrics_daily from the valid notifications created on the days computed. */
final class NotificationMetrics extends PTransform<PCollection<Row>, PCollection<Row>> {

  @Override
  public PCollection<Row> expand(PCollection<Row> notifications) {
    return Grouping.by(
            notifications,
            "DayAndChannel",
            n ->
                List.of(
                    Days.utcDay(n.getLogicalTypeValue("created_at", Instant.class)).toString(),
                    n.getString("channel")))
        .apply("Metrics", ParDo.of(new Metrics()))
        .setRowSchema(NOTIFICATION_METRICS_DAILY.beamSchema());
  }

  private static final class Metrics extends DoFn<KV<List<String>, Iterable<Row>>, Row> {
    @ProcessElement
    public void process(@Element KV<List<String>, Iterable<Row>> group, OutputReceiver<Row> out) {
      long sent = 0;
      long delivered = 0;
      long bounced = 0;
      long failed = 0;
      long opened = 0;
      long clicked = 0;
      for (Row n : group.getValue()) {
        String status = n.getString("status");
        sent += status.equals("queued") ? 0 : 1;
        bounced += status.equals("bounced") ? 1 : 0;
        failed += status.equals("failed") ? 1 : 0;
        delivered += n.getValue("delivered_at") != null ? 1 : 0;
        opened += n.getValue("opened_at") != null ? 1 : 0;
        clicked += n.getValue("clicked_at") != null ? 1 : 0;
      }
      out.output(
          Row.withSchema(NOTIFICATION_METRICS_DAILY.beamSchema())
              .addValues(
                  LocalDate.parse(group.getKey().get(0)), group.getKey().get(1),
                  sent, delivered, bounced, failed, opened, clicked,
                  Grouping.rate(delivered, sent),
                  Grouping.rate(opened, delivered),
                  Grouping.rate(clicked, delivered))
              .build());
    }
  }
}
