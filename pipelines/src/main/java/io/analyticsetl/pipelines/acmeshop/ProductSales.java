package io.analyticsetl.pipelines.acmeshop;

import static io.analyticsetl.pipelines.acmeshop.AcmeshopDatasets.PRODUCT_SALES_DAILY;

import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.values.Days;
import io.analyticsetl.common.values.LocalDateCoder;
import io.analyticsetl.transforms.RollingSum;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.BigDecimalCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * product_sales_daily from order items: units and revenue per product and day over orders neither
 * cancelled nor refunded, the 7-day revenue through the shared rolling-sum transform, and the dense
 * rank by revenue within each day. Items must reach back 6 days before the first day computed.
 */
final class ProductSales extends PTransform<PCollection<Row>, PCollection<Row>> {

  static final int WINDOW_DAYS = 7;

  static final Schema PRODUCT_DAY =
      Schema.builder()
          .addInt64Field("product_id")
          .addLogicalTypeField("day", SqlTypes.DATE)
          .addStringField("product_name")
          .addNullableField("category", Schema.FieldType.STRING)
          .addInt64Field("units_sold")
          .addDecimalField("revenue")
          .build();

  private final LocalDate first;
  private final LocalDate last;

  ProductSales(LocalDate first, LocalDate last) {
    this.first = first;
    this.last = last;
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> items) {
    PCollection<Row> perProductDay =
        Grouping.by(
                items.apply("SoldItems", ParDo.of(new SoldItems())).setRowSchema(items.getSchema()),
                "ProductAndDay",
                item -> List.of(item.getInt64("product_id").toString(), orderDay(item).toString()))
            .apply("SumProductDay", ParDo.of(new SumProductDay()))
            .setRowSchema(PRODUCT_DAY);

    KvCoder<Long, KV<LocalDate, BigDecimal>> revenueCoder =
        KvCoder.of(VarLongCoder.of(), KvCoder.of(LocalDateCoder.of(), BigDecimalCoder.of()));
    PCollection<KV<Long, KV<LocalDate, BigDecimal>>> revenue7d =
        perProductDay
            .apply(
                "RevenueSeries",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.longs(),
                            TypeDescriptors.kvs(TypeDescriptor.of(LocalDate.class), TypeDescriptors.bigdecimals())))
                    .via(
                        row ->
                            KV.of(
                                row.getInt64("product_id"),
                                KV.of(row.getLogicalTypeValue("day", LocalDate.class), row.getDecimal("revenue")))))
            .setCoder(revenueCoder)
            .apply("Revenue7Days", RollingSum.<Long>decimals(WINDOW_DAYS).daily());

    TupleTag<Row> dayTag = new TupleTag<>();
    TupleTag<KV<LocalDate, BigDecimal>> rollingTag = new TupleTag<>();
    PCollection<Row> unranked =
        KeyedPCollectionTuple.of(
                dayTag,
                perProductDay
                    .apply("KeyByProduct", WithKeys.of((Row row) -> row.getInt64("product_id")))
                    .setCoder(KvCoder.of(VarLongCoder.of(), SchemaCoder.of(PRODUCT_DAY))))
            .and(rollingTag, revenue7d)
            .apply("JoinRolling", CoGroupByKey.create())
            .apply("DaysComputed", ParDo.of(new WithRevenue7d(dayTag, rollingTag, first, last)))
            .setRowSchema(PRODUCT_SALES_DAILY.beamSchema());

    return Grouping.by(unranked, "Day", row -> List.of(row.getLogicalTypeValue("day", LocalDate.class).toString()))
        .apply("DenseRank", ParDo.of(new DenseRankByRevenue()))
        .setRowSchema(PRODUCT_SALES_DAILY.beamSchema());
  }

  private static LocalDate orderDay(Row item) {
    return Days.utcDay(item.getLogicalTypeValue("order_created_at", Instant.class));
  }

  /** Keeps items of orders neither cancelled nor refunded (the rest is counted as filtered). */
  private static final class SoldItems extends DoFn<Row, Row> {
    private final StageCounters stage = StageCounters.of("product_sales_items");

    @ProcessElement
    public void process(@Element Row item, OutputReceiver<Row> out) {
      stage.read();
      if (OrderMetrics.cancelledOrRefunded(item.getString("order_status"))) {
        stage.filtered("order cancelled or refunded");
        return;
      }
      stage.written();
      out.output(item);
    }
  }

  private static final class SumProductDay extends DoFn<KV<List<String>, Iterable<Row>>, Row> {
    @ProcessElement
    public void process(@Element KV<List<String>, Iterable<Row>> group, OutputReceiver<Row> out) {
      long units = 0;
      BigDecimal revenue = BigDecimal.ZERO;
      Row any = null;
      for (Row item : group.getValue()) {
        any = item;
        units += item.getInt32("quantity");
        revenue = revenue.add(item.getDecimal("unit_price").multiply(BigDecimal.valueOf(item.getInt32("quantity"))));
      }
      out.output(
          Row.withSchema(PRODUCT_DAY)
              .addValues(
                  any.getInt64("product_id"),
                  LocalDate.parse(group.getKey().get(1)),
                  any.getString("product_name"),
                  any.getString("category"),
                  units,
                  revenue)
              .build());
    }
  }

  /** Rows of the days computed with units sold, each with its 7-day revenue (rank still 0). */
  private static final class WithRevenue7d extends DoFn<KV<Long, CoGbkResult>, Row> {
    private final TupleTag<Row> dayTag;
    private final TupleTag<KV<LocalDate, BigDecimal>> rollingTag;
    private final LocalDate first;
    private final LocalDate last;

    WithRevenue7d(TupleTag<Row> dayTag, TupleTag<KV<LocalDate, BigDecimal>> rollingTag, LocalDate first, LocalDate last) {
      this.dayTag = dayTag;
      this.rollingTag = rollingTag;
      this.first = first;
      this.last = last;
    }

    @ProcessElement
    public void process(@Element KV<Long, CoGbkResult> product, OutputReceiver<Row> out) {
      Map<LocalDate, BigDecimal> rolling = new HashMap<>();
      for (KV<LocalDate, BigDecimal> day : product.getValue().getAll(rollingTag)) {
        rolling.put(day.getKey(), day.getValue());
      }
      for (Row day : product.getValue().getAll(dayTag)) {
        LocalDate date = day.getLogicalTypeValue("day", LocalDate.class);
        if (date.isBefore(first) || date.isAfter(last) || day.getInt64("units_sold") <= 0) {
          continue;
        }
        out.output(
            Row.withSchema(PRODUCT_SALES_DAILY.beamSchema())
                .addValues(
                    date, product.getKey(), day.getString("product_name"), day.getString("category"),
                    day.getInt64("units_sold"), day.getDecimal("revenue"), rolling.get(date), 0L)
                .build());
      }
    }
  }

  /** Dense rank by revenue, highest first: equal revenues share a rank, the next rank follows on. */
  private static final class DenseRankByRevenue extends DoFn<KV<List<String>, Iterable<Row>>, Row> {
    @ProcessElement
    public void process(@Element KV<List<String>, Iterable<Row>> day, OutputReceiver<Row> out) {
      List<Row> rows = new ArrayList<>();
      day.getValue().forEach(rows::add);
      rows.sort(Comparator.comparing((Row r) -> r.getDecimal("revenue")).reversed());
      long rank = 0;
      BigDecimal previous = null;
      for (Row row : rows) {
        if (previous == null || row.getDecimal("revenue").compareTo(previous) != 0) {
          rank++;
          previous = row.getDecimal("revenue");
        }
        out.output(Row.fromRow(row).withFieldValue("revenue_rank", rank).build());
      }
    }
  }
}
