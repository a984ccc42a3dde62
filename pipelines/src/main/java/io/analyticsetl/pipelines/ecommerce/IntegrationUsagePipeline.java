package io.analyticsetl.pipelines.ecommerce;

import static io.analyticsetl.pipelines.ecommerce.EcommerceDatasets.INTEGRATION_USAGE_DAILY;

import io.analyticsetl.common.ledger.RunSignals;
import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.options.OptionValues;
import io.analyticsetl.common.run.RunContext;
import io.analyticsetl.common.values.DayRange;
import io.analyticsetl.common.values.Days;
import io.analyticsetl.common.values.LocalDateCoder;
import io.analyticsetl.transforms.GapFill;
import io.analyticsetl.transforms.jdbc.JdbcQuery;
import io.analyticsetl.transforms.jdbc.QueryParameters;
import io.analyticsetl.transforms.validate.Rule;
import io.analyticsetl.transforms.validate.Validate;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
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
 * <p>Flow: read and validate shops; find each shop's last day already in the target and from it
 * the first day the run must write; give every shop alive on the days to write its day range;
 * count its orders per day in the database (one bounded query per shop); gap-fill the range;
 * attach the shop's attributes; replace the partitions of the days written.
 */
public final class IntegrationUsagePipeline extends EcommercePipeline {

  static final Schema SHOP =
      Schema.builder()
          .addInt64Field("id")
          .addNullableField("account_id", Schema.FieldType.INT64)
          .addNullableField("platform", Schema.FieldType.STRING)
          .addNullableField("created_at", Schema.FieldType.logicalType(SqlTypes.TIMESTAMP))
          .addNullableField("deleted_at", Schema.FieldType.logicalType(SqlTypes.TIMESTAMP))
          .build();

  static final Schema UNCOUNTED_ORDERS =
      Schema.builder().addInt64Field("of_unknown_shops").addInt64Field("outside_shop_life").build();

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
  public List<Dataset> datasets() {
    return List.of(INTEGRATION_USAGE_DAILY);
  }

  @Override
  public String summary() {
    return "Orders per shop integration per day, incremental from the last processed day,"
        + " gap-filled with zero rows.";
  }

  @Override
  public void validate(EcommerceOptions options) {
    super.validate(options);
    if (options.getStartDate() != null) {
      LocalDate runDate = OptionValues.runDate(options);
      if (!OptionValues.date("startDate", options.getStartDate()).isBefore(runDate)) {
        throw new InvalidOptionException(
            "startDate", "must be before the run date " + runDate + " (the last day a run writes is runDate - 1)");
      }
    }
  }

  @Override
  public void build(Pipeline pipeline, EcommerceOptions options, RunContext run) {
    String schema = schema(options);
    var database = database(options);
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

    PCollection<KV<Long, LocalDate>> lastWrittenDay = run.lastDays(pipeline, INTEGRATION_USAGE_DAILY, "shop_id");

    PCollection<Row> validShops = shops.get(Validate.VALID);
    TupleTag<Row> shopTag = new TupleTag<>();
    TupleTag<LocalDate> lastWrittenTag = new TupleTag<>();
    PCollectionView<LocalDate> firstDayToWrite =
        KeyedPCollectionTuple.of(
                shopTag,
                validShops
                    .apply("KeyShops", WithKeys.of((Row shop) -> shop.getInt64("id")))
                    .setCoder(KvCoder.of(VarLongCoder.of(), SchemaCoder.of(SHOP))))
            .and(lastWrittenTag, lastWrittenDay)
            .apply("JoinLastWrittenDay", CoGroupByKey.create())
            .apply("FirstUnprocessedDay", ParDo.of(new FirstUnprocessedDay(shopTag, lastWrittenTag, lastDay)))
            .setCoder(LocalDateCoder.of())
            .apply("Earliest", Combine.globally(new EarliestDay()))
            .apply("AsSingleton", View.asSingleton());

    PCollectionTuple plans =
        validShops.apply(
            "PlanDays",
            ParDo.of(new PlanDays(firstDayToWrite, lastDay, startDate))
                .withSideInputs(firstDayToWrite)
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
                            Days.startOf(range.getValue().first()),
                            Days.startOf(range.getValue().last().plusDays(1)))))
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

    // Orders no shop's rows count are not lost silently: the ledger says how many, and why.
    JdbcQuery uncountedQuery =
        JdbcQuery.fromResource("sql/ecommerce/uncounted_orders.sql")
            .withIdentifier("schema", schema)
            .withRowSchema(UNCOUNTED_ORDERS)
            .from(database);
    PCollection<DayRange> daysWritten =
        pipeline
            .apply("RunDays", Create.of(lastDay).withCoder(LocalDateCoder.of()))
            .apply("DaysWritten", ParDo.of(new DaysWritten(firstDayToWrite, startDate)).withSideInputs(firstDayToWrite))
            .setCoder(DayRange.Coder.of());
    daysWritten
        .apply("CountUncountedOrders", uncountedQuery.readAll(
            (DayRange days) -> QueryParameters.of(Days.startOf(days.first()), Days.startOf(days.last().plusDays(1)))))
        .apply("NoteUncountedOrders", ParDo.of(new NoteUncountedOrders(schema)));

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
    // Every day written is replaced whole, so a day left without any shop (its only shop's deletion
    // recorded late) is emptied rather than keeping that shop's row.
    run.writeReplacingDays(INTEGRATION_USAGE_DAILY, usage,
        daysWritten
            .apply("EachDayWritten", FlatMapElements.into(TypeDescriptor.of(LocalDate.class)).via((DayRange days) -> days.days().toList()))
            .setCoder(LocalDateCoder.of()));
  }

  /**
   * A shop's first unprocessed day: the day after its last day in the target, or its creation day;
   * nothing when it has no unprocessed day up to runDate - 1 (or its deletion day). A shop whose
   * deletion was recorded after rows past its deletion day were written has those days rewritten
   * (without it) from the day after its deletion.
   */
  static final class FirstUnprocessedDay extends DoFn<KV<Long, CoGbkResult>, LocalDate> {
    private final TupleTag<Row> shopTag;
    private final TupleTag<LocalDate> lastWrittenTag;
    private final LocalDate lastDay;

    FirstUnprocessedDay(TupleTag<Row> shopTag, TupleTag<LocalDate> lastWrittenTag, LocalDate lastDay) {
      this.shopTag = shopTag;
      this.lastWrittenTag = lastWrittenTag;
      this.lastDay = lastDay;
    }

    @ProcessElement
    public void process(@Element KV<Long, CoGbkResult> group, OutputReceiver<LocalDate> out) {
      LocalDate lastWritten = group.getValue().getOnly(lastWrittenTag, null);
      for (Row shop : group.getValue().getAll(shopTag)) {
        LocalDate shopLast = lastDayOf(shop, lastDay);
        if (lastWritten != null && shopLast.isBefore(lastDay) && lastWritten.isAfter(shopLast)) {
          out.output(shopLast.plusDays(1));
          continue;
        }
        LocalDate next = lastWritten == null ? createdDay(shop) : lastWritten.plusDays(1);
        if (!next.isAfter(shopLast)) {
          out.output(next);
        }
      }
    }
  }

  /**
   * The run writes whole days: from the earliest first unprocessed day of any shop (or --startDate
   * when earlier) through runDate - 1, every shop alive on a day gets its row of that day. So each
   * partition the run writes is complete and can replace the partition in any sink; a shop whose
   * row arrives late is added without losing the other shops' rows of those days.
   */
  static final class PlanDays extends DoFn<Row, KV<Long, DayRange>> {
    private final PCollectionView<LocalDate> firstDayToWrite;
    private final LocalDate lastDay;
    private final LocalDate startDate;
    private final StageCounters counters = StageCounters.of("plan_shops");

    PlanDays(PCollectionView<LocalDate> firstDayToWrite, LocalDate lastDay, LocalDate startDate) {
      this.firstDayToWrite = firstDayToWrite;
      this.lastDay = lastDay;
      this.startDate = startDate;
    }

    @ProcessElement
    public void process(@Element Row shop, MultiOutputReceiver out, ProcessContext context) {
      counters.read();
      LocalDate first = context.sideInput(firstDayToWrite);
      if (startDate != null && startDate.isBefore(first)) {
        first = startDate;
      }
      LocalDate created = createdDay(shop);
      LocalDate last = lastDayOf(shop, lastDay);
      if (first.equals(EarliestDay.NONE)) {
        counters.filtered("every shop already processed through runDate - 1");
        return;
      }
      if (created.isAfter(first)) {
        first = created;
      }
      if (first.isAfter(last)) {
        counters.filtered(
            created.isAfter(lastDay)
                ? "shop created on or after the run date"
                : "shop deleted before the first day this run writes");
        return;
      }
      counters.written();
      Long id = shop.getInt64("id");
      out.get(RANGES).output(KV.of(id, new DayRange(first, last)));
      out.get(PLANNED_SHOPS).output(KV.of(id, shop));
    }
  }

  /** The days the run writes, [earliest first unprocessed day or --startDate, runDate - 1]; none when there are none. */
  static final class DaysWritten extends DoFn<LocalDate, DayRange> {
    private final PCollectionView<LocalDate> firstDayToWrite;
    private final LocalDate startDate;

    DaysWritten(PCollectionView<LocalDate> firstDayToWrite, LocalDate startDate) {
      this.firstDayToWrite = firstDayToWrite;
      this.startDate = startDate;
    }

    @ProcessElement
    public void process(@Element LocalDate lastDay, OutputReceiver<DayRange> out, ProcessContext context) {
      LocalDate first = context.sideInput(firstDayToWrite);
      if (startDate != null && startDate.isBefore(first)) {
        first = startDate;
      }
      if (!first.isAfter(lastDay)) {
        out.output(new DayRange(first, lastDay));
      }
    }
  }

  /** Ledger notes for the orders of the days written that no shop's rows count. */
  static final class NoteUncountedOrders extends DoFn<Row, Void> {
    private final String schema;

    NoteUncountedOrders(String schema) {
      this.schema = schema;
    }

    @ProcessElement
    public void process(@Element Row counts) {
      long unknown = counts.getInt64("of_unknown_shops");
      long outside = counts.getInt64("outside_shop_life");
      if (unknown > 0) {
        RunSignals.note(unknown + " order(s) of the days written belong to no shop in " + schema + ".ecommerce_shops: not counted");
      }
      if (outside > 0) {
        RunSignals.note(outside + " order(s) of the days written fall before their shop's creation day or after its deletion day:"
            + " not counted");
      }
    }
  }

  /** The earliest of the shops' first unprocessed days; {@link #NONE} when no shop has one. */
  static final class EarliestDay extends Combine.BinaryCombineFn<LocalDate> {
    static final LocalDate NONE = LocalDate.MAX;

    @Override
    public LocalDate apply(LocalDate left, LocalDate right) {
      return left.isBefore(right) ? left : right;
    }

    @Override
    public LocalDate identity() {
      return NONE;
    }

    @Override
    public Coder<LocalDate> getDefaultOutputCoder(CoderRegistry registry, Coder<LocalDate> input) {
      return LocalDateCoder.of();
    }
  }

  private static LocalDate createdDay(Row shop) {
    return Days.utcDay(shop.getLogicalTypeValue("created_at", Instant.class));
  }

  /** runDate - 1, or the deletion day when that is earlier. */
  private static LocalDate lastDayOf(Row shop, LocalDate lastDay) {
    Instant deletedAt = shop.getLogicalTypeValue("deleted_at", Instant.class);
    return deletedAt != null && Days.utcDay(deletedAt).isBefore(lastDay) ? Days.utcDay(deletedAt) : lastDay;
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
