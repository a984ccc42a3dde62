package io.analyticsetl.pipelines.ads;

import static io.analyticsetl.pipelines.ads.AdsDatasets.ACCOUNT_DAILY;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/** account_daily: ad_performance_daily summed per platform, account and day; ROAS from the sums. */
final class AccountDaily extends PTransform<PCollection<Row>, PCollection<Row>> {

  @Override
  public PCollection<Row> expand(PCollection<Row> ads) {
    return ads.apply(
            "KeyByAccountDay",
            WithKeys.of((Row r) -> List.of(r.getString("platform"), r.getString("account_id"), r.getLogicalTypeValue("date", LocalDate.class).toString())))
        .setCoder(KvCoder.of(ListCoder.of(StringUtf8Coder.of()), SchemaCoder.of(ads.getSchema())))
        .apply("GroupByAccountDay", GroupByKey.create())
        .setCoder(KvCoder.of(ListCoder.of(StringUtf8Coder.of()), IterableCoder.of(SchemaCoder.of(ads.getSchema()))))
        .apply("Sum", ParDo.of(new Sum()))
        .setRowSchema(ACCOUNT_DAILY.beamSchema());
  }

  private static final class Sum extends DoFn<KV<List<String>, Iterable<Row>>, Row> {
    @ProcessElement
    public void process(@Element KV<List<String>, Iterable<Row>> day, OutputReceiver<Row> out) {
      long impressions = 0;
      long clicks = 0;
      BigDecimal spend = BigDecimal.ZERO;
      BigDecimal conversions = BigDecimal.ZERO;
      BigDecimal value = BigDecimal.ZERO;
      String currency = null;
      Set<String> campaigns = new HashSet<>();
      Set<String> ads = new HashSet<>();
      for (Row ad : day.getValue()) {
        impressions += ad.getInt64("impressions");
        clicks += ad.getInt64("clicks");
        spend = spend.add(ad.getDecimal("spend"));
        conversions = conversions.add(ad.getDecimal("conversions"));
        value = value.add(ad.getDecimal("conversion_value"));
        currency = ad.getString("account_currency");
        if (ad.getInt64("impressions") > 0) {
          ads.add(ad.getString("ad_id"));
          if (ad.getString("campaign_id") != null) {
            campaigns.add(ad.getString("campaign_id"));
          }
        }
      }
      List<String> key = day.getKey();
      out.output(
          Row.withSchema(ACCOUNT_DAILY.beamSchema())
              .addValues(key.get(0), key.get(1), LocalDate.parse(key.get(2)), currency, spend, impressions, clicks,
                  conversions, value, AdMath.roas(value, spend), (long) campaigns.size(), (long) ads.size())
              .build());
    }
  }
}
