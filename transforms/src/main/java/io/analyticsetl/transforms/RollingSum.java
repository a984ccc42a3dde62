package io.analyticsetl.transforms;

import io.analyticsetl.common.values.LocalDateCoder;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableBiFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * N-day sums per key over dated values. The window of day D is [D - (N - 1), D], counted in
 * calendar days, so month and year ends and days without values need no special care; several
 * values on one day add up.
 *
 * <ul>
 *   <li>{@link #asOf}: one sum per key, for the window ending on a given day (keys with at least
 *       one value in it).
 *   <li>{@link #daily()}: for every day a key has a value, the sum of the window ending that day.
 *       Gap-fill first to get a value for every day.
 * </ul>
 */
public final class RollingSum<K, V> {

  private final int days;
  private final V zero;
  private final SerializableBiFunction<V, V, V> plus;

  private RollingSum(int days, V zero, SerializableBiFunction<V, V, V> plus) {
    if (days < 1) {
      throw new IllegalArgumentException("a rolling window needs at least one day, got " + days);
    }
    this.days = days;
    this.zero = zero;
    this.plus = plus;
  }

  public static <K, V> RollingSum<K, V> of(int days, V zero, SerializableBiFunction<V, V, V> plus) {
    return new RollingSum<>(days, zero, plus);
  }

  public static <K> RollingSum<K, Long> longs(int days) {
    return new RollingSum<>(days, 0L, Long::sum);
  }

  public static <K> RollingSum<K, BigDecimal> decimals(int days) {
    return new RollingSum<>(days, BigDecimal.ZERO, BigDecimal::add);
  }

  /** The sum per key over the N days ending on {@code day} (inclusive). */
  public PTransform<PCollection<KV<K, KV<LocalDate, V>>>, PCollection<KV<K, V>>> asOf(LocalDate day) {
    LocalDate first = day.minusDays(days - 1L);
    V start = zero;
    SerializableBiFunction<V, V, V> add = plus;
    return new PTransform<>("RollingSum" + days + "dAsOf" + day) {
      @Override
      public PCollection<KV<K, V>> expand(PCollection<KV<K, KV<LocalDate, V>>> input) {
        KvCoder<K, KV<LocalDate, V>> coder = (KvCoder<K, KV<LocalDate, V>>) input.getCoder();
        Coder<V> valueCoder = ((KvCoder<LocalDate, V>) coder.getValueCoder()).getValueCoder();
        return input
            .apply(
                "InWindow",
                Filter.by(kv -> !kv.getValue().getKey().isBefore(first) && !kv.getValue().getKey().isAfter(day)))
            .apply(
                "Values",
                MapElements.into(
                        TypeDescriptors.kvs(
                            coder.getKeyCoder().getEncodedTypeDescriptor(),
                            valueCoder.getEncodedTypeDescriptor()))
                    .via(kv -> KV.of(kv.getKey(), kv.getValue().getValue())))
            .setCoder(KvCoder.of(coder.getKeyCoder(), valueCoder))
            .apply("Sum", Combine.perKey(new Sum<>(start, add)))
            .setCoder(KvCoder.of(coder.getKeyCoder(), valueCoder));
      }
    };
  }

  /** For each day a key has a value, the sum over the N days ending on that day. */
  public PTransform<PCollection<KV<K, KV<LocalDate, V>>>, PCollection<KV<K, KV<LocalDate, V>>>> daily() {
    int window = days;
    V start = zero;
    SerializableBiFunction<V, V, V> add = plus;
    return new PTransform<>("RollingSum" + days + "dDaily") {
      @Override
      public PCollection<KV<K, KV<LocalDate, V>>> expand(PCollection<KV<K, KV<LocalDate, V>>> input) {
        KvCoder<K, KV<LocalDate, V>> coder = (KvCoder<K, KV<LocalDate, V>>) input.getCoder();
        Coder<V> valueCoder = ((KvCoder<LocalDate, V>) coder.getValueCoder()).getValueCoder();
        return input
            .apply("GroupByKey", GroupByKey.create())
            .apply("SumWindows", ParDo.of(new SumWindows<K, V>(window, start, add)))
            .setCoder(KvCoder.of(coder.getKeyCoder(), KvCoder.of(LocalDateCoder.of(), valueCoder)));
      }
    };
  }

  private static final class Sum<V> extends Combine.BinaryCombineFn<V> {
    private final V zero;
    private final SerializableBiFunction<V, V, V> plus;

    Sum(V zero, SerializableBiFunction<V, V, V> plus) {
      this.zero = zero;
      this.plus = plus;
    }

    @Override
    public V apply(V left, V right) {
      return plus.apply(left, right);
    }

    @Override
    public V identity() {
      return zero;
    }
  }

  private static final class SumWindows<K, V>
      extends DoFn<KV<K, Iterable<KV<LocalDate, V>>>, KV<K, KV<LocalDate, V>>> {
    private final int days;
    private final V zero;
    private final SerializableBiFunction<V, V, V> plus;

    SumWindows(int days, V zero, SerializableBiFunction<V, V, V> plus) {
      this.days = days;
      this.zero = zero;
      this.plus = plus;
    }

    @ProcessElement
    public void process(
        @Element KV<K, Iterable<KV<LocalDate, V>>> group, OutputReceiver<KV<K, KV<LocalDate, V>>> out) {
      TreeMap<LocalDate, V> byDay = new TreeMap<>();
      for (KV<LocalDate, V> value : group.getValue()) {
        byDay.merge(value.getKey(), value.getValue(), plus::apply);
      }
      for (LocalDate day : byDay.keySet()) {
        V sum = zero;
        for (Map.Entry<LocalDate, V> inWindow :
            byDay.subMap(day.minusDays(days - 1L), true, day, true).entrySet()) {
          sum = plus.apply(sum, inWindow.getValue());
        }
        out.output(KV.of(group.getKey(), KV.of(day, sum)));
      }
    }
  }
}
