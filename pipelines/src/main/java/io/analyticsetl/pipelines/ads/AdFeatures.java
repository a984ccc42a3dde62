package io.analyticsetl.pipelines.ads;

import static io.analyticsetl.pipelines.ads.AdsDatasets.AD_FEATURES_DAILY;
import static io.analyticsetl.pipelines.ads.AdsDatasets.AD_TRAINING_EXAMPLES;

import io.analyticsetl.common.values.DayRange;
import io.analyticsetl.common.values.LocalDateCoder;
import io.analyticsetl.transforms.GapFill;
import io.analyticsetl.transforms.RollingSum;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
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
 * Per ad: the daily series gap-filled with zero days (no delivery counts as zero), 7- and 28-day
 * rolling sums (the shared transforms) with their rates re-derived from the sums, and the
 * creative's text features; and training examples pairing the features as of day D with the label
 * CTR over D+1..D+7, for days whose label window is complete. Everything is computed from the
 * values alone, so the same inputs give byte-identical features.
 */
final class AdFeatures extends PTransform<PCollection<Row>, PCollectionTuple> {

  static final TupleTag<Row> FEATURES = new TupleTag<>() {};
  static final TupleTag<Row> TRAINING = new TupleTag<>() {};

  static final Schema METRICS =
      Schema.builder()
          .addInt64Field("impressions")
          .addInt64Field("clicks")
          .addDecimalField("spend")
          .addDecimalField("conversions")
          .addDecimalField("conversion_value")
          .build();
  static final Row ZERO = Row.withSchema(METRICS).addValues(0L, 0L, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO).build();

  private static final TupleTag<KV<List<String>, DayRange>> RANGES = new TupleTag<>() {};
  private static final TupleTag<KV<List<String>, KV<LocalDate, Row>>> DAYS = new TupleTag<>() {};
  private static final TupleTag<KV<List<String>, Row>> CREATIVES = new TupleTag<>() {};

  private final LocalDate firstFeatureDay;
  private final LocalDate lastCompleteDay;

  /** Features from {@code firstFeatureDay} on; labels only while D + 7 <= {@code lastCompleteDay}. */
  AdFeatures(LocalDate firstFeatureDay, LocalDate lastCompleteDay) {
    this.firstFeatureDay = firstFeatureDay;
    this.lastCompleteDay = lastCompleteDay;
  }

  /** The days a run's features cover: from the first feature day to the last day it extracts (today, hourly). */
  static DayRange featureDays(LocalDate firstFeatureDay, LocalDate lastExtractedDay) {
    return new DayRange(firstFeatureDay, lastExtractedDay);
  }

  /** The days a run's training examples cover: those whose label window D+1..D+7 ends on a feature day. */
  static DayRange trainingDays(LocalDate firstFeatureDay, LocalDate lastCompleteDay) {
    return new DayRange(firstFeatureDay.minusDays(7), lastCompleteDay.minusDays(7));
  }

  static Row plus(Row a, Row b) {
    return Row.withSchema(METRICS)
        .addValues(
            a.getInt64("impressions") + b.getInt64("impressions"), a.getInt64("clicks") + b.getInt64("clicks"),
            a.getDecimal("spend").add(b.getDecimal("spend")), a.getDecimal("conversions").add(b.getDecimal("conversions")),
            a.getDecimal("conversion_value").add(b.getDecimal("conversion_value")))
        .build();
  }

  @Override
  public PCollectionTuple expand(PCollection<Row> performance) {
    ListCoder<String> keyCoder = ListCoder.of(StringUtf8Coder.of());
    KvCoder<LocalDate, Row> dayCoder = KvCoder.of(LocalDateCoder.of(), SchemaCoder.of(METRICS));
    PCollectionTuple perAd =
        performance
            .apply("KeyByAd", WithKeys.of((Row r) -> List.of(r.getString("platform"), r.getString("account_id"), r.getString("ad_id"))))
            .setCoder(KvCoder.of(keyCoder, SchemaCoder.of(performance.getSchema())))
            .apply("GroupByAd", GroupByKey.create())
            .setCoder(KvCoder.of(keyCoder, IterableCoder.of(SchemaCoder.of(performance.getSchema()))))
            .apply("SeriesOfAd", ParDo.of(new SeriesOfAd(lastCompleteDay)).withOutputTags(DAYS, TupleTagList.of(RANGES).and(CREATIVES)));
    PCollection<KV<List<String>, KV<LocalDate, Row>>> days = perAd.get(DAYS).setCoder(KvCoder.of(keyCoder, dayCoder));
    PCollection<KV<List<String>, DayRange>> ranges = perAd.get(RANGES).setCoder(KvCoder.of(keyCoder, DayRange.Coder.of()));
    PCollection<KV<List<String>, Row>> creatives =
        perAd.get(CREATIVES).setCoder(KvCoder.of(keyCoder, SchemaCoder.of(performance.getSchema())));

    PCollection<KV<List<String>, KV<LocalDate, Row>>> everyDay =
        days.apply("ZeroDays", GapFill.<List<String>, Row>daily().between(ranges).withDefault(ZERO));
    PCollection<KV<List<String>, KV<LocalDate, Row>>> rolling7 =
        everyDay.apply("Rolling7", RollingSum.<List<String>, Row>of(7, ZERO, AdFeatures::plus).daily());
    PCollection<KV<List<String>, KV<LocalDate, Row>>> rolling28 =
        everyDay.apply("Rolling28", RollingSum.<List<String>, Row>of(28, ZERO, AdFeatures::plus).daily());

    TupleTag<KV<LocalDate, Row>> tag7 = new TupleTag<>();
    TupleTag<KV<LocalDate, Row>> tag28 = new TupleTag<>();
    TupleTag<Row> creativeTag = new TupleTag<>();
    PCollectionTuple out =
        KeyedPCollectionTuple.of(tag7, rolling7)
            .and(tag28, rolling28)
            .and(creativeTag, creatives)
            .apply("JoinWindows", CoGroupByKey.create())
            .apply(
                "FeaturesAndLabels",
                ParDo.of(new FeaturesAndLabels(tag7, tag28, creativeTag, firstFeatureDay, lastCompleteDay))
                    .withOutputTags(FEATURES, TupleTagList.of(TRAINING)));
    out.get(FEATURES).setRowSchema(AD_FEATURES_DAILY.beamSchema());
    out.get(TRAINING).setRowSchema(AD_TRAINING_EXAMPLES.beamSchema());
    return out;
  }

  /**
   * An ad's days, its range, and its rows (for the creative text of each day). The range runs from the
   * first day to 27 days past the last (capped at the last complete day): after an ad stops, its
   * zero days still move its windows until the 28-day one is empty; label windows past that end are
   * zero too.
   */
  private static final class SeriesOfAd extends DoFn<KV<List<String>, Iterable<Row>>, KV<List<String>, KV<LocalDate, Row>>> {
    private final LocalDate lastCompleteDay;

    SeriesOfAd(LocalDate lastCompleteDay) {
      this.lastCompleteDay = lastCompleteDay;
    }

    @ProcessElement
    public void process(@Element KV<List<String>, Iterable<Row>> ad, MultiOutputReceiver out) {
      LocalDate first = null;
      LocalDate last = null;
      for (Row row : ad.getValue()) {
        LocalDate day = row.getLogicalTypeValue("date", LocalDate.class);
        first = first == null || day.isBefore(first) ? day : first;
        last = last == null || day.isAfter(last) ? day : last;
        out.get(CREATIVES).output(KV.of(ad.getKey(), row));
        out.get(DAYS).output(KV.of(ad.getKey(), KV.of(day, Row.withSchema(METRICS)
            .addValues(row.getInt64("impressions"), row.getInt64("clicks"), row.getDecimal("spend"),
                row.getDecimal("conversions"), row.getDecimal("conversion_value"))
            .build())));
      }
      LocalDate decayed = last.plusDays(27).isBefore(lastCompleteDay) ? last.plusDays(27) : lastCompleteDay;
      out.get(RANGES).output(KV.of(ad.getKey(), new DayRange(first, decayed.isAfter(last) ? decayed : last)));
    }
  }

  private static final class FeaturesAndLabels extends DoFn<KV<List<String>, CoGbkResult>, Row> {
    private final TupleTag<KV<LocalDate, Row>> tag7;
    private final TupleTag<KV<LocalDate, Row>> tag28;
    private final TupleTag<Row> creativeTag;
    private final LocalDate firstFeatureDay;
    private final LocalDate lastCompleteDay;

    FeaturesAndLabels(TupleTag<KV<LocalDate, Row>> tag7, TupleTag<KV<LocalDate, Row>> tag28, TupleTag<Row> creativeTag,
        LocalDate firstFeatureDay, LocalDate lastCompleteDay) {
      this.tag7 = tag7;
      this.tag28 = tag28;
      this.creativeTag = creativeTag;
      this.firstFeatureDay = firstFeatureDay;
      this.lastCompleteDay = lastCompleteDay;
    }

    @ProcessElement
    public void process(@Element KV<List<String>, CoGbkResult> ad, MultiOutputReceiver out) {
      Map<LocalDate, Row> week = new HashMap<>();
      ad.getValue().getAll(tag7).forEach(kv -> week.put(kv.getKey(), kv.getValue()));
      Map<LocalDate, Row> month = new HashMap<>();
      ad.getValue().getAll(tag28).forEach(kv -> month.put(kv.getKey(), kv.getValue()));
      // The creative as of each day: that of its latest row on or before it (a gap-filled day has no row).
      TreeMap<LocalDate, Row> creatives = new TreeMap<>();
      ad.getValue().getAll(creativeTag).forEach(row -> creatives.put(row.getLogicalTypeValue("date", LocalDate.class), row));
      List<String> key = ad.getKey();
      for (Map.Entry<LocalDate, Row> day : week.entrySet()) {
        LocalDate date = day.getKey();
        Map.Entry<LocalDate, Row> asOf = creatives.floorEntry(date);
        Row creative = asOf != null ? asOf.getValue() : creatives.isEmpty() ? null : creatives.firstEntry().getValue();
        String headline = creative == null ? null : creative.getString("headline");
        String description = creative == null ? null : creative.getString("description");
        boolean callToAction = creative != null && creative.getString("call_to_action") != null;
        Row features =
            features(AD_FEATURES_DAILY.beamSchema(), key, date, day.getValue(), month.get(date), headline, description, callToAction)
                .build();
        if (!date.isBefore(firstFeatureDay)) {
          out.get(FEATURES).output(features);
        }
        LocalDate labelEnd = date.plusDays(7);
        // Past the series' end (27 days after the last delivery) the ad delivers nothing: a zero label.
        Row label = week.getOrDefault(labelEnd, ZERO);
        if (!labelEnd.isAfter(lastCompleteDay) && !labelEnd.isBefore(firstFeatureDay)) {
          long impressions = label.getInt64("impressions");
          long clicks = label.getInt64("clicks");
          out.get(TRAINING).output(
              features(AD_TRAINING_EXAMPLES.beamSchema(), key, date, day.getValue(), month.get(date), headline, description, callToAction)
                  .withFieldValue("label_impressions_next_7d", impressions)
                  .withFieldValue("label_clicks_next_7d", clicks)
                  .withFieldValue("label_ctr_next_7d", AdMath.ctr(clicks, impressions))
                  .build());
        }
      }
    }

    private static Row.FieldValueBuilder features(
        Schema schema, List<String> key, LocalDate date, Row week, Row month, String headline, String description, boolean callToAction) {
      Row.FieldValueBuilder row =
          Row.withSchema(schema).withFieldValue("platform", key.get(0)).withFieldValue("account_id", key.get(1))
              .withFieldValue("ad_id", key.get(2)).withFieldValue("date", date);
      window(row, "_7d", week);
      window(row, "_28d", month);
      return row.withFieldValue("headline_length", AdMath.length(headline))
          .withFieldValue("headline_words", AdMath.words(headline))
          .withFieldValue("has_call_to_action", callToAction)
          .withFieldValue("sentiment_score", AdMath.sentiment(headline, description));
    }

    private static void window(Row.FieldValueBuilder row, String suffix, Row sums) {
      long impressions = sums.getInt64("impressions");
      long clicks = sums.getInt64("clicks");
      BigDecimal spend = sums.getDecimal("spend");
      BigDecimal conversions = sums.getDecimal("conversions");
      BigDecimal value = sums.getDecimal("conversion_value");
      row.withFieldValue("impressions" + suffix, impressions).withFieldValue("clicks" + suffix, clicks)
          .withFieldValue("spend" + suffix, spend).withFieldValue("conversions" + suffix, conversions)
          .withFieldValue("conversion_value" + suffix, value)
          .withFieldValue("ctr" + suffix, AdMath.ctr(clicks, impressions)).withFieldValue("cpc" + suffix, AdMath.cpc(spend, clicks))
          .withFieldValue("cpm" + suffix, AdMath.cpm(spend, impressions))
          .withFieldValue("cvr" + suffix, AdMath.cvr(conversions, clicks)).withFieldValue("cpa" + suffix, AdMath.cpa(spend, conversions))
          .withFieldValue("roas" + suffix, AdMath.roas(value, spend)).withFieldValue("acos" + suffix, AdMath.acos(spend, value));
    }
  }
}
