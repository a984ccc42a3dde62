package io.analyticsetl.transforms;

import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.values.DayRange;
import io.analyticsetl.common.values.LocalDateCoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Per key, one value for every day of the key's range: the observed value where there is one, the
 * default where there is none. Ranges differ per key (a shop's first and last day, say). A key
 * without a range produces nothing; observations outside their key's range are dropped and counted
 * as filtered in the optional ledger stage.
 *
 * <pre>{@code
 * PCollection<KV<Long, KV<LocalDate, Long>>> daily =
 *     ordersPerDay.apply(GapFill.<Long, Long>daily().between(shopRanges).withDefault(0L));
 * }</pre>
 */
public final class GapFill<K, V>
    extends PTransform<PCollection<KV<K, KV<LocalDate, V>>>, PCollection<KV<K, KV<LocalDate, V>>>> {

  private final PCollection<KV<K, DayRange>> ranges;
  private final V defaultValue;
  private final StageCounters counters;

  private GapFill(PCollection<KV<K, DayRange>> ranges, V defaultValue, StageCounters counters) {
    this.ranges = ranges;
    this.defaultValue = defaultValue;
    this.counters = counters;
  }

  public static <K, V> GapFill<K, V> daily() {
    return new GapFill<>(null, null, null);
  }

  /** The day range of each key, both ends included. */
  public GapFill<K, V> between(PCollection<KV<K, DayRange>> keyRanges) {
    return new GapFill<>(keyRanges, defaultValue, counters);
  }

  /** The value of a day without an observation. */
  public GapFill<K, V> withDefault(V value) {
    return new GapFill<>(ranges, value, counters);
  }

  /** Counts observations in a ledger stage: read, then written (in range) or filtered. */
  public GapFill<K, V> countingIn(StageCounters stage) {
    return new GapFill<>(ranges, defaultValue, stage);
  }

  @Override
  public PCollection<KV<K, KV<LocalDate, V>>> expand(PCollection<KV<K, KV<LocalDate, V>>> observed) {
    if (ranges == null) {
      throw new IllegalStateException("GapFill: between(ranges) is required");
    }
    if (defaultValue == null) {
      throw new IllegalStateException("GapFill: withDefault(value) is required");
    }
    KvCoder<K, KV<LocalDate, V>> inputCoder = (KvCoder<K, KV<LocalDate, V>>) observed.getCoder();
    Coder<V> valueCoder = ((KvCoder<LocalDate, V>) inputCoder.getValueCoder()).getValueCoder();

    TupleTag<DayRange> rangeTag = new TupleTag<>();
    TupleTag<KV<LocalDate, V>> observationTag = new TupleTag<>();
    return KeyedPCollectionTuple.of(rangeTag, ranges)
        .and(observationTag, observed)
        .apply("GroupByKey", CoGroupByKey.create())
        .apply(
            "FillDays",
            ParDo.of(
                new FillDays<>(
                    rangeTag, observationTag, encode(defaultValue, valueCoder), valueCoder, counters)))
        .setCoder(
            KvCoder.of(inputCoder.getKeyCoder(), KvCoder.of(LocalDateCoder.of(), valueCoder)));
  }

  private static <V> byte[] encode(V value, Coder<V> coder) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      coder.encode(value, bytes);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the gap-fill default " + value, e);
    }
  }

  private static final class FillDays<K, V> extends DoFn<KV<K, CoGbkResult>, KV<K, KV<LocalDate, V>>> {
    private final TupleTag<DayRange> rangeTag;
    private final TupleTag<KV<LocalDate, V>> observationTag;
    private final byte[] encodedDefault;
    private final Coder<V> valueCoder;
    private final StageCounters counters;
    private transient V defaultValue;

    FillDays(
        TupleTag<DayRange> rangeTag,
        TupleTag<KV<LocalDate, V>> observationTag,
        byte[] encodedDefault,
        Coder<V> valueCoder,
        StageCounters counters) {
      this.rangeTag = rangeTag;
      this.observationTag = observationTag;
      this.encodedDefault = encodedDefault;
      this.valueCoder = valueCoder;
      this.counters = counters;
    }

    @Setup
    public void setup() throws IOException {
      defaultValue = valueCoder.decode(new ByteArrayInputStream(encodedDefault));
    }

    @ProcessElement
    public void process(@Element KV<K, CoGbkResult> group, OutputReceiver<KV<K, KV<LocalDate, V>>> out) {
      K key = group.getKey();
      Iterator<DayRange> keyRanges = group.getValue().getAll(rangeTag).iterator();
      DayRange range = keyRanges.hasNext() ? keyRanges.next() : null;
      if (keyRanges.hasNext()) {
        throw new IllegalStateException("GapFill: key " + key + " has more than one day range");
      }
      TreeMap<LocalDate, V> byDay = new TreeMap<>();
      for (KV<LocalDate, V> observation : group.getValue().getAll(observationTag)) {
        count(StageCounters::read);
        if (range == null || !range.contains(observation.getKey())) {
          if (counters != null) {
            counters.filtered(range == null ? "key has no day range" : "outside the key's day range");
          }
          continue;
        }
        if (byDay.put(observation.getKey(), observation.getValue()) != null) {
          throw new IllegalStateException(
              "GapFill: key " + key + " has two observations for " + observation.getKey());
        }
        count(StageCounters::written);
      }
      if (range == null) {
        return;
      }
      range.days().forEach(day -> out.output(KV.of(key, KV.of(day, byDay.getOrDefault(day, defaultValue)))));
    }

    private void count(java.util.function.Consumer<StageCounters> counter) {
      if (counters != null) {
        counter.accept(counters);
      }
    }
  }
}
