package io.analyticsetl.pipelines.ecommerce;

import static io.analyticsetl.pipelines.ecommerce.EcommerceDatasets.INTEGRATION_USAGE_DAILY;

import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.options.OptionValues;
import io.analyticsetl.common.run.EtlPipeline;
import io.analyticsetl.common.run.RunContext;
import io.analyticsetl.common.values.DayRange;
import io.analyticsetl.common.values.LocalDateCoder;
import io.analyticsetl.transforms.GapFill;
import io.analyticsetl.transforms.jdbc.JdbcQuery;
import io.analyticsetl.transforms.jdbc.QueryParameters;
import io.analyticsetl.transforms.validate.Rule;
import io.analyticsetl.transforms.validate.Validate;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code ecommerce-integration-usage}: orders per shop integration per UTC day, one row for every
 * day from the shop's first unprocessed day through {@code runDate - 1} (a deleted shop's last day
 * is its deletion day), with zero rows for days without orders.
 *
 * <p>Flow: read and validate shops; find each shop's last day already in the target; plan each
 * shop's day range; count its orders per day in the database (one bounded query per shop);
 * gap-fill the range; attach the shop's attributes; upsert on (shop_id, day).
 */
public final class IntegrationUsagePipeline implements EtlPipeline<EcommerceOptions> {

  static final Schema SHOP =
      Schema.builder()
          .addInt64Field("id")
          .addNullableField("account_id", Schema.FieldType.INT64)
          .addNullableField("platform", Schema.FieldType.STRING)
          .addNullableField("created_at", Schema.FieldType.logicalType(SqlTypes.TIMESTAMP))
          .addNullableField("deleted_at", Schema.FieldType.logicalType(SqlTypes.TIMESTAMP))
          .build();

  static final Schema DAILY_ORDER_COUNT =
      Schema.builder()
          .addInt64Field("shop_id")
          .addLogicalTypeField("day", SqlTypes.DATE)
          .addInt64Field("orders_count")
          .build();

  private static final TupleTag<KV<Long, DayRange>> RANGES = new TupleTag<>() {};
  private static final TupleTag<KV<Long, Row>> PLANNED_SHOPS = new TupleTag<>() {};

  @Override
  public String name() {
    return "ecommerce-integration-usage";
  }

  @Override
  public String domain() {
    return EcommerceDatasets.DOMAIN;
  }

  @Override
  public String summary() {
    return "Orders per shop integration per day, incremental from the last processed day,"
        + " gap-filled with zero rows.";
  }

  @Override
  public Class<EcommerceOptions> optionsClass() {
    return EcommerceOptions.class;
  }

  @Override
  public void validate(EcommerceOptions options) {
    EcommerceSource.validate(options);
    if (options.getStartDate() != null) {
      OptionValues.date("startDate", options.getStartDate());
    }
  }

  @Override
  public void preflight(EcommerceOptions options) {
    EcommerceSource.database(options).checkReachable();
  }

  @Override
  public void build(Pipeline pipeline, EcommerceOptions options, RunContext run) {
    String schema = EcommerceSource.schema(options);
    var database = EcommerceSource.database(options);
    LocalDate lastDay = run.runDate().minusDays(1);
    LocalDate startDate =
        options.getStartDate() == null ? null : OptionValues.date("startDate", options.getStartDate());

    JdbcQuery shopsQuery =
        JdbcQuery.fromResource("sql/ecommerce/shops.sql")
            .withIdentifier("schema", schema)
            .withRowSchema(SHOP)
            .from(database);
    PCollectionTuple shops =
        pipeline
            .apply("ReadShops", shopsQuery.read(QueryParameters.of()))
            .apply(
                Validate.stage("read_shops")
                    .source(schema + ".ecommerce_shops")
                    .with(
                        Rule.required("account_id"),
                        Rule.required("platform"),
                        Rule.required("created_at"),
                        Rule.notBefore("deleted_at", "created_at")));
    run.deadLetters(shops.get(Validate.INVALID));

    PCollection<KV<Long, LocalDate>> lastWrittenDay =
        run.readExisting(pipeline, INTEGRATION_USAGE_DAILY)
            .apply(
                "ShopDay",
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptor.of(LocalDate.class)))
                    .via(row -> KV.of(row.getInt64("shop_id"), row.getLogicalTypeValue("day", LocalDate.class))))
            .setCoder(KvCoder.of(VarLongCoder.of(), LocalDateCoder.of()))
            .apply("LastWrittenDay", Max.perKey());

    TupleTag<Row> shopTag = new TupleTag<>();
    TupleTag<LocalDate> lastWrittenTag = new TupleTag<>();
    PCollectionTuple plans =
        KeyedPCollectionTuple.of(
                shopTag,
                shops.get(Validate.VALID)
                    .apply("KeyShops", WithKeys.of((Row shop) -> shop.getInt64("id")))
                    .setCoder(KvCoder.of(VarLongCoder.of(), SchemaCoder.of(SHOP))))
            .and(lastWrittenTag, lastWrittenDay)
            .apply("JoinLastWrittenDay", CoGroupByKey.create())
            .apply(
                "PlanDays",
                ParDo.of(new PlanDays(shopTag, lastWrittenTag, lastDay, startDate))
                    .withOutputTags(RANGES, TupleTagList.of(PLANNED_SHOPS)));
    PCollection<KV<Long, DayRange>> ranges =
        plans.get(RANGES).setCoder(KvCoder.of(VarLongCoder.of(), DayRange.Coder.of()));
    PCollection<KV<Long, Row>> plannedShops =
        plans.get(PLANNED_SHOPS).setCoder(KvCoder.of(VarLongCoder.of(), SchemaCoder.of(SHOP)));

    JdbcQuery ordersQuery =
        JdbcQuery.fromResource("sql/ecommerce/daily_order_counts.sql")
            .withIdentifier("schema", schema)
            .withRowSchema(DAILY_ORDER_COUNT)
            .from(database);
    PCollection<KV<Long, KV<LocalDate, Long>>> ordersPerDay =
        ranges
            .apply(
                "CountOrdersPerDay",
                ordersQuery.readAll(
                    (KV<Long, DayRange> range) ->
                        QueryParameters.of(
                            range.getKey(),
                            startOf(range.getValue().first()),
                            startOf(range.getValue().last().plusDays(1)))))
            .apply(
                "KeyByShop",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.longs(),
                            TypeDescriptors.kvs(TypeDescriptor.of(LocalDate.class), TypeDescriptors.longs())))
                    .via(
                        row ->
                            KV.of(
                                row.getInt64("shop_id"),
                                KV.of(row.getLogicalTypeValue("day", LocalDate.class), row.getInt64("orders_count")))))
            .setCoder(
                KvCoder.of(VarLongCoder.of(), KvCoder.of(LocalDateCoder.of(), VarLongCoder.of())));

    PCollection<KV<Long, KV<LocalDate, Long>>> everyDay =
        ordersPerDay.apply(
            "GapFillDays",
            GapFill.<Long, Long>daily()
                .between(ranges)
                .withDefault(0L)
                .countingIn(StageCounters.of("read_daily_order_counts")));

    TupleTag<KV<LocalDate, Long>> dayTag = new TupleTag<>();
    TupleTag<Row> plannedTag = new TupleTag<>();
    PCollection<Row> usage =
        KeyedPCollectionTuple.of(dayTag, everyDay)
            .and(plannedTag, plannedShops)
            .apply("JoinShop", CoGroupByKey.create())
            .apply("ToUsageRows", ParDo.of(new ToUsageRows(dayTag, plannedTag)))
            .setRowSchema(INTEGRATION_USAGE_DAILY.beamSchema());
    run.write(INTEGRATION_USAGE_DAILY, usage);
  }

  private static Instant startOf(LocalDate day) {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  private static LocalDate utcDay(Instant instant) {
    return instant.atZone(ZoneOffset.UTC).toLocalDate();
  }

  /**
   * Decides each shop's day range: from the day after its last day in the target (or its creation
   * day), or from --startDate when that is earlier, through runDate - 1 or its deletion day.
   */
  static final class PlanDays extends DoFn<KV<Long, CoGbkResult>, KV<Long, DayRange>> {
    private final TupleTag<Row> shopTag;
    private final TupleTag<LocalDate> lastWrittenTag;
    private final LocalDate lastDay;
    private final LocalDate startDate;
    private final StageCounters counters = StageCounters.of("plan_shops");

    PlanDays(TupleTag<Row> shopTag, TupleTag<LocalDate> lastWrittenTag, LocalDate lastDay, LocalDate startDate) {
      this.shopTag = shopTag;
      this.lastWrittenTag = lastWrittenTag;
      this.lastDay = lastDay;
      this.startDate = startDate;
    }

    @ProcessElement
    public void process(@Element KV<Long, CoGbkResult> group, MultiOutputReceiver out) {
      LocalDate lastWritten = group.getValue().getOnly(lastWrittenTag, null);
      for (Row shop : group.getValue().getAll(shopTag)) {
        counters.read();
        LocalDate created = utcDay(shop.getLogicalTypeValue("created_at", Instant.class));
        Instant deletedAt = shop.getLogicalTypeValue("deleted_at", Instant.class);
        LocalDate next = lastWritten == null ? created : lastWritten.plusDays(1);
        LocalDate first = startDate != null && startDate.isBefore(next) ? startDate : next;
        if (first.isBefore(created)) {
          first = created;
        }
        LocalDate last = deletedAt != null && utcDay(deletedAt).isBefore(lastDay) ? utcDay(deletedAt) : lastDay;
        if (first.isAfter(last)) {
          counters.filtered(
              created.isAfter(lastDay)
                  ? "shop created on or after the run date"
                  : last.isBefore(lastDay)
                      ? "deleted shop already complete"
                      : "already processed through runDate - 1");
          continue;
        }
        counters.written();
        out.get(RANGES).output(KV.of(group.getKey(), new DayRange(first, last)));
        out.get(PLANNED_SHOPS).output(KV.of(group.getKey(), shop));
      }
    }
  }

  /** One integration_usage_daily row per gap-filled day, with the shop's attributes. */
  static final class ToUsageRows extends DoFn<KV<Long, CoGbkResult>, Row> {
    private final TupleTag<KV<LocalDate, Long>> dayTag;
    private final TupleTag<Row> shopTag;

    ToUsageRows(TupleTag<KV<LocalDate, Long>> dayTag, TupleTag<Row> shopTag) {
      this.dayTag = dayTag;
      this.shopTag = shopTag;
    }

    @ProcessElement
    public void process(@Element KV<Long, CoGbkResult> group, OutputReceiver<Row> out) {
      Row shop = group.getValue().getOnly(shopTag);
      for (KV<LocalDate, Long> day : group.getValue().getAll(dayTag)) {
        out.output(
            Row.withSchema(INTEGRATION_USAGE_DAILY.beamSchema())
                .withFieldValue("shop_id", group.getKey())
                .withFieldValue("account_id", shop.getInt64("account_id"))
                .withFieldValue("integration_created_at", shop.getLogicalTypeValue("created_at", Instant.class))
                .withFieldValue("platform", shop.getString("platform"))
                .withFieldValue("day", day.getKey())
                .withFieldValue("orders_count", day.getValue())
                .build());
      }
    }
  }
}
