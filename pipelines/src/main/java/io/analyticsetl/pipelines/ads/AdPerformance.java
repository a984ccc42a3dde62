package io.analyticsetl.pipelines.ads;

import static io.analyticsetl.pipelines.ads.AdsDatasets.AD_PERFORMANCE_DAILY;

import io.analyticsetl.common.ledger.RunSignals;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
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
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;

/**
 * ad_performance_daily rows: validated, deduplicated extracted rows with the creative fields of
 * the internal export joined on (platform, ad_id), spend in micros, and every derived metric
 * recomputed from the base columns.
 */
final class AdPerformance extends PTransform<PCollection<Row>, PCollection<Row>> {

  private final PCollection<Row> creatives;

  AdPerformance(PCollection<Row> creatives) {
    this.creatives = creatives;
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> extracted) {
    TupleTag<Row> adTag = new TupleTag<>();
    TupleTag<Row> creativeTag = new TupleTag<>();
    KvCoder<List<String>, Row> extractedCoder = KvCoder.of(ListCoder.of(StringUtf8Coder.of()), SchemaCoder.of(Extracted.SCHEMA));
    KvCoder<List<String>, Row> creativeCoder = KvCoder.of(ListCoder.of(StringUtf8Coder.of()), SchemaCoder.of(Creatives.SCHEMA));
    return KeyedPCollectionTuple.of(
            adTag,
            extracted.apply("KeyByPlatformAd", WithKeys.of((Row r) -> List.of(r.getString("platform"), r.getString("ad_id"))))
                .setCoder(extractedCoder))
        .and(
            creativeTag,
            creatives.apply("KeyCreatives", WithKeys.of((Row c) -> List.of(c.getString("platform"), c.getString("ad_id"))))
                .setCoder(creativeCoder))
        .apply("JoinCreatives", CoGroupByKey.create())
        .apply("Derive", ParDo.of(new Derive(adTag, creativeTag)))
        .setRowSchema(AD_PERFORMANCE_DAILY.beamSchema());
  }

  /** The order of an ad's creative versions, whatever order they arrive in: reruns join the same ones. */
  static final Comparator<Row> NEWEST_CREATIVE =
      Comparator.comparing((Row c) -> c.getLogicalTypeValue("start_date", LocalDate.class), Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(c -> c.getString("headline"), Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing((Row c) -> c.toString());

  /**
   * The version of an ad's creative in effect on {@code day}: the one started latest on or before it
   * (a later one did not exist yet), or the first when none had started.
   */
  static Row inEffect(List<Row> versionsOldestFirst, LocalDate day) {
    Row chosen = null;
    for (Row version : versionsOldestFirst) {
      LocalDate start = version.getLogicalTypeValue("start_date", LocalDate.class);
      if (start == null || !start.isAfter(day)) {
        chosen = version;
      }
    }
    return chosen != null || versionsOldestFirst.isEmpty() ? chosen : versionsOldestFirst.get(0);
  }

  private static final class Derive extends DoFn<KV<List<String>, CoGbkResult>, Row> {
    private final TupleTag<Row> adTag;
    private final TupleTag<Row> creativeTag;

    Derive(TupleTag<Row> adTag, TupleTag<Row> creativeTag) {
      this.adTag = adTag;
      this.creativeTag = creativeTag;
    }

    @ProcessElement
    public void process(@Element KV<List<String>, CoGbkResult> ad, OutputReceiver<Row> out) {
      List<Row> versions = new java.util.ArrayList<>();
      ad.getValue().getAll(creativeTag).forEach(versions::add);
      versions.sort(NEWEST_CREATIVE);
      if (versions.size() > 1) {
        RunSignals.note("the creatives export has several versions of an ad: each day is joined with the one started latest"
            + " on or before it");
      }
      for (Row row : ad.getValue().getAll(adTag)) {
        out.output(toPerformance(row, inEffect(versions, row.getLogicalTypeValue("date", LocalDate.class))));
      }
    }
  }

  static Row toPerformance(Row r, Row creative) {
    long impressions = r.getInt64("impressions");
    long clicks = r.getInt64("clicks");
    // At the scale the sinks store, so features computed from this run's rows equal those a later
    // run computes from the stored ones (Google's fractional conversions have more decimals).
    BigDecimal spend = stored(r.getDecimal("spend"));
    BigDecimal conversions = stored(r.getDecimal("conversions"));
    BigDecimal value = stored(r.getDecimal("conversion_value"));
    return Row.withSchema(AD_PERFORMANCE_DAILY.beamSchema())
        .withFieldValue("platform", r.getString("platform"))
        .withFieldValue("account_id", r.getString("account_id"))
        .withFieldValue("date", r.getLogicalTypeValue("date", LocalDate.class))
        .withFieldValue("ad_id", r.getString("ad_id"))
        .withFieldValue("ad_name", r.getString("ad_name"))
        .withFieldValue("ad_group_id", r.getString("ad_group_id"))
        .withFieldValue("ad_group_name", r.getString("ad_group_name"))
        .withFieldValue("campaign_id", r.getString("campaign_id"))
        .withFieldValue("campaign_name", r.getString("campaign_name"))
        .withFieldValue("ad_status", r.getString("ad_status"))
        .withFieldValue("ad_status_raw", r.getString("ad_status_raw"))
        .withFieldValue("campaign_status_raw", r.getString("campaign_status_raw"))
        .withFieldValue("account_currency", r.getString("account_currency"))
        .withFieldValue("account_timezone", r.getString("account_timezone"))
        .withFieldValue("impressions", impressions)
        .withFieldValue("clicks", clicks)
        .withFieldValue("spend", spend)
        .withFieldValue("spend_micros", Wire.toMicros(spend))
        .withFieldValue("conversions", conversions)
        .withFieldValue("conversion_value", value)
        .withFieldValue("attribution_spec", r.getString("attribution_spec"))
        .withFieldValue("headline", creative == null ? null : creative.getString("headline"))
        .withFieldValue("description", creative == null ? null : creative.getString("description"))
        .withFieldValue("call_to_action", creative == null ? null : creative.getString("call_to_action"))
        .withFieldValue("image_url", creative == null ? null : creative.getString("image_url"))
        .withFieldValue("video_url", creative == null ? null : creative.getString("video_url"))
        .withFieldValue("landing_page_url", creative == null ? null : creative.getString("landing_page_url"))
        .withFieldValue("start_date", creative == null ? null : creative.getLogicalTypeValue("start_date", LocalDate.class))
        .withFieldValue("end_date", creative == null ? null : creative.getLogicalTypeValue("end_date", LocalDate.class))
        .withFieldValue("source_version", r.getString("source_version"))
        .withFieldValue("request_id", r.getString("request_id"))
        .withFieldValue("extracted_at", r.getValue("extracted_at"))
        .withFieldValue("ctr", AdMath.ctr(clicks, impressions))
        .withFieldValue("cpc", AdMath.cpc(spend, clicks))
        .withFieldValue("cpm", AdMath.cpm(spend, impressions))
        .withFieldValue("cvr", AdMath.cvr(conversions, clicks))
        .withFieldValue("cpa", AdMath.cpa(spend, conversions))
        .withFieldValue("roas", AdMath.roas(value, spend))
        .withFieldValue("acos", AdMath.acos(spend, value))
        .build();
  }

  private static BigDecimal stored(BigDecimal amount) {
    return amount == null ? null : amount.setScale(AdsDatasets.MONEY_SCALE, RoundingMode.HALF_EVEN);
  }
}
