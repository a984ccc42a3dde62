package io.analyticsetl.pipelines.ads;

import static io.analyticsetl.pipelines.ads.AdsDatasets.ACCOUNT_DAILY;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
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

/**
 * account_daily: ad_performance_daily summed per platform, account and day; ROAS from the sums.
 * Applied to the current rows (stored and this run's, the newest version of each), it sums the
 * account-days this run touched, so that a day's sums are those of the rows the table keeps, also
 * when the run replayed older figures than the table's. A touched account-day left without rows
 * (every one vanished) goes to {@link #EMPTIED}, to be deleted.
 */
final class AccountDaily extends PTransform<PCollection<Row>, PCollectionTuple> {

  static final TupleTag<Row> SUMS = new TupleTag<>() {};
  static final TupleTag<Row> EMPTIED = new TupleTag<>() {};

  private final PCollection<Row> touched;

  /** {@code touched}: the ad_performance_daily rows this run writes or deletes. */
  AccountDaily(PCollection<Row> touched) {
    this.touched = touched;
  }

  @Override
  public PCollectionTuple expand(PCollection<Row> current) {
    TupleTag<Row> currentTag = new TupleTag<>();
    TupleTag<Row> touchedTag = new TupleTag<>();
    PCollectionTuple days =
        KeyedPCollectionTuple.of(currentTag, byAccountDay(current, "KeyCurrent"))
            .and(touchedTag, byAccountDay(touched, "KeyTouched"))
            .apply("GroupByAccountDay", CoGroupByKey.create())
            .apply("Sum", ParDo.of(new Sum(currentTag, touchedTag)).withOutputTags(SUMS, TupleTagList.of(EMPTIED)));
    days.get(SUMS).setRowSchema(ACCOUNT_DAILY.beamSchema());
    days.get(EMPTIED).setRowSchema(ACCOUNT_DAILY.beamSchema());
    return days;
  }

  private static PCollection<KV<List<String>, Row>> byAccountDay(PCollection<Row> ads, String name) {
    return ads.apply(
            name,
            WithKeys.of((Row r) -> List.of(r.getString("platform"), r.getString("account_id"), r.getLogicalTypeValue("date", LocalDate.class).toString())))
        .setCoder(KvCoder.of(ListCoder.of(StringUtf8Coder.of()), SchemaCoder.of(ads.getSchema())));
  }

  private static final class Sum extends DoFn<KV<List<String>, CoGbkResult>, Row> {
    private final TupleTag<Row> currentTag;
    private final TupleTag<Row> touchedTag;

    Sum(TupleTag<Row> currentTag, TupleTag<Row> touchedTag) {
      this.currentTag = currentTag;
      this.touchedTag = touchedTag;
    }

    @ProcessElement
    public void process(@Element KV<List<String>, CoGbkResult> day, MultiOutputReceiver out) {
      Iterator<Row> touched = day.getValue().getAll(touchedTag).iterator();
      if (!touched.hasNext()) {
        return; // a stored day this run did not touch
      }
      String touchedCurrency = touched.next().getString("account_currency");
      long impressions = 0;
      long clicks = 0;
      BigDecimal spend = BigDecimal.ZERO;
      BigDecimal conversions = BigDecimal.ZERO;
      BigDecimal value = BigDecimal.ZERO;
      String currency = null;
      boolean anyRow = false;
      Set<String> campaigns = new HashSet<>();
      Set<String> ads = new HashSet<>();
      for (Row ad : day.getValue().getAll(currentTag)) {
        impressions += ad.getInt64("impressions");
        clicks += ad.getInt64("clicks");
        spend = spend.add(ad.getDecimal("spend"));
        conversions = conversions.add(ad.getDecimal("conversions"));
        value = value.add(ad.getDecimal("conversion_value"));
        currency = ad.getString("account_currency");
        anyRow = true;
        if (ad.getInt64("impressions") > 0) {
          ads.add(ad.getString("ad_id"));
          if (ad.getString("campaign_id") != null) {
            campaigns.add(ad.getString("campaign_id"));
          }
        }
      }
      List<String> key = day.getKey();
      // Only the key of a deletion is read; its figures are those of a day without rows.
      out.get(anyRow ? SUMS : EMPTIED).output(
          Row.withSchema(ACCOUNT_DAILY.beamSchema())
              .addValues(key.get(0), key.get(1), LocalDate.parse(key.get(2)), anyRow ? currency : touchedCurrency,
                  spend, impressions, clicks, conversions, value, AdMath.roas(value, spend), (long) campaigns.size(),
                  (long) ads.size())
              .build());
    }
  }
}
