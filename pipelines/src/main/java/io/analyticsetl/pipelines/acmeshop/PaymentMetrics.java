package io.analyticsetl.pipelines.acmeshop;

import static io.analyticsetl.pipelines.acmeshop.AcmeshopDatasets.PAYMENT_METRICS_DAILY;

import io.analyticsetl.common.values.Days;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/** payment_metrics_daily from the valid payments created on the days computed. */
final class PaymentMetrics extends PTransform<PCollection<Row>, PCollection<Row>> {

  static final BigDecimal HIGH_RISK = new BigDecimal("80");
  static final BigDecimal FRAUD_RISK = new BigDecimal("90");

  @Override
  public PCollection<Row> expand(PCollection<Row> payments) {
    return Grouping.by(
            payments,
            "DayProviderMethodCurrency",
            payment ->
                List.of(
                    Days.utcDay(payment.getLogicalTypeValue("created_at", Instant.class)).toString(),
                    payment.getString("provider"),
                    payment.getString("method"),
                    payment.getString("currency")))
        .apply("Metrics", ParDo.of(new Metrics()))
        .setRowSchema(PAYMENT_METRICS_DAILY.beamSchema());
  }

  private static final class Metrics extends DoFn<KV<List<String>, Iterable<Row>>, Row> {
    @ProcessElement
    public void process(@Element KV<List<String>, Iterable<Row>> group, OutputReceiver<Row> out) {
      long attempts = 0;
      long succeeded = 0;
      long failed = 0;
      long refunded = 0;
      long chargebacks = 0;
      long highRisk = 0;
      long fraudSignals = 0;
      BigDecimal captured = BigDecimal.ZERO;
      for (Row payment : group.getValue()) {
        attempts++;
        String status = payment.getString("status");
        BigDecimal risk = payment.getDecimal("risk_score");
        switch (status) {
          case "succeeded" -> succeeded++;
          case "failed" -> failed++;
          case "refunded" -> refunded++;
          case "chargeback" -> chargebacks++;
          default -> throw new IllegalStateException("unvalidated payment status " + status);
        }
        if (!status.equals("failed")) {
          captured = captured.add(payment.getDecimal("amount"));
        }
        if (risk != null && risk.compareTo(HIGH_RISK) >= 0) {
          highRisk++;
        }
        if (status.equals("chargeback")
            || "suspected_fraud".equals(payment.getString("failure_code"))
            || (risk != null && risk.compareTo(FRAUD_RISK) >= 0)) {
          fraudSignals++;
        }
      }
      List<String> key = group.getKey();
      out.output(
          Row.withSchema(PAYMENT_METRICS_DAILY.beamSchema())
              .addValues(
                  LocalDate.parse(key.get(0)), key.get(1), key.get(2), key.get(3),
                  attempts, succeeded, failed, refunded, chargebacks,
                  Grouping.rate(attempts - failed, attempts),
                  captured, highRisk, fraudSignals,
                  Grouping.rate(fraudSignals, attempts))
              .build());
    }
  }
}
