package io.analyticsetl.pipelines.ads;

import static io.analyticsetl.pipelines.ads.AdsDatasets.AD_PERFORMANCE_DAILY;

import io.analyticsetl.common.ledger.StageCounters;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
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
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Reconciles the run's ad_performance_daily rows with the stored ones, account-day by account-day:
 * the latest extraction of an account-day is what the platform reports for it. When the run's is
 * the latest, its rows are {@link #WRITTEN}, and a stored row of the day it did not return
 * (restated away, or its ad deleted) goes by {@link #VANISHED}, as a deletion carrying the run's
 * extraction time; when a later extraction is stored (a rerun of an older day replaying its
 * checkpoint), the run's rows of the day are superseded and the stored ones stay. {@link #CURRENT}
 * holds the rows the table keeps once the run is written. Applied to the stored rows.
 */
final class ReconcileAdRows extends PTransform<PCollection<Row>, PCollectionTuple> {

  static final TupleTag<Row> WRITTEN = new TupleTag<>() {};
  static final TupleTag<Row> VANISHED = new TupleTag<>() {};
  static final TupleTag<Row> CURRENT = new TupleTag<>() {};
  static final String SUPERSEDED = "superseded by a later extraction of its account-day";
  static final String DELETED = "stored row its platform no longer reports: deleted";

  /** An account-day a slice extracted in whole, and when. */
  static final Schema COVERAGE =
      Schema.builder()
          .addStringField("platform")
          .addStringField("account_id")
          .addField("date", AD_PERFORMANCE_DAILY.beamSchema().getField("date").getType())
          .addField("extracted_at", AD_PERFORMANCE_DAILY.beamSchema().getField("extracted_at").getType())
          .build();

  static Row coverage(Platform platform, String accountId, LocalDate day, Instant extractedAt) {
    return Row.withSchema(COVERAGE).addValues(platform.name(), accountId, day, extractedAt).build();
  }

  private final PCollection<Row> runRows;
  private final PCollection<Row> extracted;
  private final PCollection<Row> covered;

  /**
   * @param runRows the run's ad_performance_daily rows
   * @param extracted every row the slices returned, valid or not (a row refused by validation keeps
   *     its stored version rather than vanishing)
   * @param covered the account-days of the slices extracted in whole ({@link #COVERAGE})
   */
  ReconcileAdRows(PCollection<Row> runRows, PCollection<Row> extracted, PCollection<Row> covered) {
    this.runRows = runRows;
    this.extracted = extracted;
    this.covered = covered;
  }

  @Override
  public PCollectionTuple expand(PCollection<Row> stored) {
    TupleTag<Row> storedTag = new TupleTag<>();
    TupleTag<Row> runTag = new TupleTag<>();
    TupleTag<String> reportedTag = new TupleTag<>();
    TupleTag<Row> coveredTag = new TupleTag<>();
    PCollectionTuple current =
        KeyedPCollectionTuple.of(storedTag, byAccountDay(stored, "KeyStored"))
            .and(runTag, byAccountDay(runRows, "KeyRun"))
            .and(reportedTag,
                extracted
                    .apply("AdReported", MapElements
                        .into(TypeDescriptors.kvs(TypeDescriptors.lists(TypeDescriptors.strings()), TypeDescriptors.strings()))
                        .via((Row r) -> KV.of(accountDay(r), String.valueOf(r.getString("ad_id")))))
                    .setCoder(KvCoder.of(ListCoder.of(StringUtf8Coder.of()), StringUtf8Coder.of())))
            .and(coveredTag, byAccountDay(covered, "KeyCovered"))
            .apply("GroupByAccountDay", CoGroupByKey.create())
            .apply("NewestUnlessVanished",
                ParDo.of(new LatestExtractionWins(storedTag, runTag, reportedTag, coveredTag))
                    .withOutputTags(CURRENT, TupleTagList.of(WRITTEN).and(VANISHED)));
    for (TupleTag<Row> tag : List.of(CURRENT, WRITTEN, VANISHED)) {
      current.get(tag).setRowSchema(AD_PERFORMANCE_DAILY.beamSchema());
    }
    return current;
  }

  private static List<String> accountDay(Row row) {
    LocalDate day = row.getLogicalTypeValue("date", LocalDate.class);
    return List.of(String.valueOf(row.getString("platform")), String.valueOf(row.getString("account_id")), String.valueOf(day));
  }

  private static PCollection<KV<List<String>, Row>> byAccountDay(PCollection<Row> rows, String name) {
    return rows.apply(name, WithKeys.of(ReconcileAdRows::accountDay))
        .setCoder(KvCoder.of(ListCoder.of(StringUtf8Coder.of()), SchemaCoder.of(rows.getSchema())));
  }

  private static final class LatestExtractionWins extends DoFn<KV<List<String>, CoGbkResult>, Row> {
    private final TupleTag<Row> storedTag;
    private final TupleTag<Row> runTag;
    private final TupleTag<String> reportedTag;
    private final TupleTag<Row> coveredTag;
    private final StageCounters stage = StageCounters.of("reconcile_ads");

    LatestExtractionWins(TupleTag<Row> storedTag, TupleTag<Row> runTag, TupleTag<String> reportedTag, TupleTag<Row> coveredTag) {
      this.storedTag = storedTag;
      this.runTag = runTag;
      this.reportedTag = reportedTag;
      this.coveredTag = coveredTag;
    }

    @ProcessElement
    public void process(@Element KV<List<String>, CoGbkResult> accountDay, MultiOutputReceiver out) {
      Instant coveredAt = null;
      for (Row coverage : accountDay.getValue().getAll(coveredTag)) {
        coveredAt = latest(coveredAt, extractedAt(coverage));
      }
      Instant pulledAt = coveredAt;
      Map<String, Row> run = new HashMap<>();
      for (Row row : accountDay.getValue().getAll(runTag)) {
        run.put(row.getString("ad_id"), row);
        pulledAt = latest(pulledAt, extractedAt(row));
      }
      Map<String, Row> stored = new HashMap<>();
      Instant storedAt = null;
      for (Row row : accountDay.getValue().getAll(storedTag)) {
        stored.merge(row.getString("ad_id"), row, (a, b) -> extractedAt(b).isAfter(extractedAt(a)) ? b : a);
        storedAt = latest(storedAt, extractedAt(row));
      }
      if (pulledAt == null || (storedAt != null && storedAt.isAfter(pulledAt))) {
        stored.values().forEach(out.get(CURRENT)::output);
        for (int i = 0; i < run.size(); i++) {
          stage.read();
          stage.filtered(SUPERSEDED);
        }
        return;
      }
      for (Row row : run.values()) {
        stage.read();
        stage.written();
        out.get(WRITTEN).output(row);
        out.get(CURRENT).output(row);
      }
      Set<String> reported = new HashSet<>();
      accountDay.getValue().getAll(reportedTag).forEach(reported::add);
      for (Map.Entry<String, Row> ad : stored.entrySet()) {
        if (run.containsKey(ad.getKey())) {
          continue;
        }
        if (reported.contains(ad.getKey()) || coveredAt == null) {
          // The run's version was refused by validation, or the day was not extracted in whole (an
          // item that could not be read may be this ad's row).
          out.get(CURRENT).output(ad.getValue());
        } else {
          stage.read();
          stage.filtered(DELETED);
          out.get(VANISHED).output(Row.fromRow(ad.getValue()).withFieldValue("extracted_at", pulledAt).build());
        }
      }
    }

    private static Instant latest(Instant a, Instant b) {
      return a == null || b.isAfter(a) ? b : a;
    }

    private static Instant extractedAt(Row row) {
      return row.getLogicalTypeValue("extracted_at", Instant.class);
    }
  }
}
