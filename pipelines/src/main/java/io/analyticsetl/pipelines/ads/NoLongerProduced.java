package io.analyticsetl.pipelines.ads;

import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.values.DayRange;
import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The stored rows of a derived dataset, on the days a run recomputes, that the run no longer
 * produces (an ad whose performance rows the platform withdrew has no features left): the
 * deletions that go with the run's upsert. Stored rows must already be limited to what the run
 * recomputes beyond the days (e.g. the accounts it extracted).
 */
final class NoLongerProduced extends PTransform<PCollection<Row>, PCollection<Row>> {

  private final Dataset dataset;
  private final PCollection<Row> produced;
  private final DayRange days;

  NoLongerProduced(Dataset dataset, PCollection<Row> produced, DayRange days) {
    this.dataset = dataset;
    this.produced = produced;
    this.days = days;
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> stored) {
    String dayColumn = dataset.dateColumn().orElseThrow();
    DayRange recomputed = days;
    TupleTag<Row> storedTag = new TupleTag<>();
    TupleTag<Row> producedTag = new TupleTag<>();
    Dataset keyed = dataset;
    SerializableFunction<Row, List<String>> key = row -> keyed.naturalKey().stream().map(c -> String.valueOf((Object) row.getValue(c))).toList();
    KvCoder<List<String>, Row> coder = KvCoder.of(ListCoder.of(StringUtf8Coder.of()), SchemaCoder.of(dataset.beamSchema()));
    return KeyedPCollectionTuple.of(
            storedTag,
            stored
                .apply("OnRecomputedDays", Filter.by(row -> recomputed.contains(row.getLogicalTypeValue(dayColumn, LocalDate.class))))
                .setRowSchema(dataset.beamSchema())
                .apply("KeyStored", WithKeys.of(key))
                .setCoder(coder))
        .and(producedTag, produced.apply("KeyProduced", WithKeys.of(key)).setCoder(coder))
        .apply("ByNaturalKey", CoGroupByKey.create())
        .apply("StoredOnly", ParDo.of(new StoredOnly(storedTag, producedTag)))
        .setRowSchema(dataset.beamSchema());
  }

  private static final class StoredOnly extends DoFn<KV<List<String>, CoGbkResult>, Row> {
    private final TupleTag<Row> storedTag;
    private final TupleTag<Row> producedTag;

    StoredOnly(TupleTag<Row> storedTag, TupleTag<Row> producedTag) {
      this.storedTag = storedTag;
      this.producedTag = producedTag;
    }

    @ProcessElement
    public void process(@Element KV<List<String>, CoGbkResult> key, OutputReceiver<Row> out) {
      if (!key.getValue().getAll(producedTag).iterator().hasNext()) {
        key.getValue().getAll(storedTag).forEach(out::output);
      }
    }
  }
}
