package io.analyticsetl.pipelines.ecommerce;

import static io.analyticsetl.pipelines.ecommerce.EcommerceDatasets.SENDING_STATS_30D;

import io.analyticsetl.common.run.RunContext;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.values.Days;
import io.analyticsetl.common.values.LocalDateCoder;
import io.analyticsetl.transforms.RollingSum;
import io.analyticsetl.transforms.jdbc.JdbcQuery;
import io.analyticsetl.transforms.jdbc.QueryParameters;
import io.analyticsetl.transforms.validate.Rule;
import io.analyticsetl.transforms.validate.Validate;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code ecommerce-sending-stats}: emails per account over the 30 days before the run date
 * ({@code sent_at} in [runDate - 30 days, runDate), UTC), by category; the table is rebuilt
 * completely on every run. Each email is validated on its own, so one with an unknown category is
 * a dead letter and the others still count.
 */
public final class SendingStatsPipeline extends EcommercePipeline {

  static final int WINDOW_DAYS = 30;
  static final List<String> CATEGORIES = List.of("automation", "campaign", "transactional");

  static final Schema EMAIL =
      Schema.builder()
          .addInt64Field("id")
          .addNullableField("account_id", Schema.FieldType.INT64)
          .addNullableField("category", Schema.FieldType.STRING)
          .addNullableField("sent_at", Schema.FieldType.logicalType(SqlTypes.TIMESTAMP))
          .build();

  @Override
  public String name() {
    return "ecommerce-sending-stats";
  }

  @Override
  public List<Dataset> datasets() {
    return List.of(SENDING_STATS_30D);
  }

  @Override
  public String summary() {
    return "Rolling 30-day email sending statistics per account, full rebuild each run.";
  }

  @Override
  public void build(Pipeline pipeline, EcommerceOptions options, RunContext run) {
    String schema = schema(options);
    LocalDate lastDay = run.runDate().minusDays(1);
    Instant windowStart = Days.startOf(run.runDate().minusDays(WINDOW_DAYS));
    Instant windowEnd = Days.startOf(run.runDate());

    JdbcQuery emailsQuery =
        JdbcQuery.fromResource("sql/ecommerce/emails_in_window.sql")
            .withIdentifier("schema", schema)
            .withRowSchema(EMAIL)
            .from(database(options));
    PCollectionTuple emails =
        pipeline
            .apply(
                "ReadEmails",
                emailsQuery.readPartitioned(
                    "id", options.getSourceReadPartitions(), QueryParameters.of(windowStart, windowEnd)))
            .apply(
                Validate.stage("read_emails")
                    .source(schema + ".emails")
                    .with(
                        Rule.required("account_id"),
                        Rule.required("sent_at"),
                        Rule.required("category"),
                        Rule.allowedValues("category", CATEGORIES)));
    run.deadLetters(emails.get(Validate.INVALID));

    PCollection<KV<KV<Long, String>, KV<LocalDate, Long>>> perCategoryDay =
        emails
            .get(Validate.VALID)
            .apply(
                "AccountCategoryDay",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.strings()),
                            TypeDescriptor.of(LocalDate.class)))
                    .via(
                        email ->
                            KV.of(
                                KV.of(email.getInt64("account_id"), email.getString("category")),
                                Days.utcDay(email.getLogicalTypeValue("sent_at", Instant.class)))))
            .setCoder(
                KvCoder.of(KvCoder.of(VarLongCoder.of(), StringUtf8Coder.of()), LocalDateCoder.of()))
            .apply("CountPerDay", Count.perElement())
            .apply(
                "KeyByAccountCategory",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.strings()),
                            TypeDescriptors.kvs(TypeDescriptor.of(LocalDate.class), TypeDescriptors.longs())))
                    .via(kv -> KV.of(kv.getKey().getKey(), KV.of(kv.getKey().getValue(), kv.getValue()))))
            .setCoder(
                KvCoder.of(
                    KvCoder.of(VarLongCoder.of(), StringUtf8Coder.of()),
                    KvCoder.of(LocalDateCoder.of(), VarLongCoder.of())));

    PCollection<Row> stats =
        perCategoryDay
            .apply("Rolling30Days", RollingSum.<KV<Long, String>>longs(WINDOW_DAYS).asOf(lastDay))
            .apply(
                "KeyByAccount",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.longs(),
                            TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs())))
                    .via(kv -> KV.of(kv.getKey().getKey(), KV.of(kv.getKey().getValue(), kv.getValue()))))
            .setCoder(KvCoder.of(VarLongCoder.of(), KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
            .apply("GroupByAccount", GroupByKey.create())
            .apply("ToStatsRows", ParDo.of(new ToStatsRow(windowEnd)))
            .setRowSchema(SENDING_STATS_30D.beamSchema());
    run.write(SENDING_STATS_30D, stats);
  }

  /** One sending_stats_30d row from an account's per-category sums. */
  static final class ToStatsRow extends DoFn<KV<Long, Iterable<KV<String, Long>>>, Row> {
    private final Instant updatedAt;

    ToStatsRow(Instant updatedAt) {
      this.updatedAt = updatedAt;
    }

    @ProcessElement
    public void process(@Element KV<Long, Iterable<KV<String, Long>>> account, OutputReceiver<Row> out) {
      long automation = 0;
      long campaign = 0;
      long transactional = 0;
      for (KV<String, Long> category : account.getValue()) {
        switch (category.getKey()) {
          case "automation" -> automation += category.getValue();
          case "campaign" -> campaign += category.getValue();
          case "transactional" -> transactional += category.getValue();
          default -> throw new IllegalStateException("unvalidated category " + category.getKey());
        }
      }
      out.output(
          Row.withSchema(SENDING_STATS_30D.beamSchema())
              .withFieldValue("account_id", account.getKey())
              .withFieldValue("emails_30d", automation + campaign + transactional)
              .withFieldValue("automation_emails_30d", automation)
              .withFieldValue("campaign_emails_30d", campaign)
              .withFieldValue("transactional_emails_30d", transactional)
              .withFieldValue("updated_at", updatedAt)
              .build());
    }
  }
}
