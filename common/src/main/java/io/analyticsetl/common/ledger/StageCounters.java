package io.analyticsetl.common.ledger;

import java.io.Serializable;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * The run-ledger counters of one stage, as Beam metrics (so runners show them too). For every
 * stage the ledger checks {@code read = written + dead_lettered + filtered}; a stage counts each
 * record it takes in once as read and once as exactly one of the outcomes.
 */
public final class StageCounters implements Serializable {

  public static final String NAMESPACE = "etl.ledger";
  static final String READ = "read";
  static final String WRITTEN = "written";
  static final String DEAD_LETTERED = "dead_lettered";
  static final String FILTERED = "filtered";
  static final String SEPARATOR = "|";

  private final String stage;
  private transient Counter read;
  private transient Counter written;
  private transient Counter deadLettered;

  private StageCounters(String stage) {
    if (stage.contains(SEPARATOR)) {
      throw new IllegalArgumentException("stage names cannot contain " + SEPARATOR + ": " + stage);
    }
    this.stage = stage;
  }

  public static StageCounters of(String stage) {
    return new StageCounters(stage);
  }

  public String stage() {
    return stage;
  }

  public void read(long count) {
    if (read == null) {
      read = Metrics.counter(NAMESPACE, stage + SEPARATOR + READ);
    }
    read.inc(count);
  }

  public void read() {
    read(1);
  }

  public void written(long count) {
    if (written == null) {
      written = Metrics.counter(NAMESPACE, stage + SEPARATOR + WRITTEN);
    }
    written.inc(count);
  }

  public void written() {
    written(1);
  }

  public void deadLettered() {
    if (deadLettered == null) {
      deadLettered = Metrics.counter(NAMESPACE, stage + SEPARATOR + DEAD_LETTERED);
    }
    deadLettered.inc();
  }

  /** A record deliberately not passed on; {@code reason} says why (shown in the ledger). */
  public void filtered(String reason) {
    Metrics.counter(NAMESPACE, stage + SEPARATOR + FILTERED + SEPARATOR + reason).inc();
  }

  /** Passes elements through unchanged, counting each as read by this stage. */
  public <T> PTransform<PCollection<T>, PCollection<T>> countRead() {
    return new CountThrough<>(this, "CountRead_", true, null);
  }

  /** Passes elements through unchanged, counting each as written by this stage. */
  public <T> PTransform<PCollection<T>, PCollection<T>> countWritten() {
    return new CountThrough<>(this, "CountWritten_", false, null);
  }

  /**
   * Passes elements through unchanged, counting each as read and as filtered for {@code reason}:
   * for a stage that only inspects records and writes none of them.
   */
  public <T> PTransform<PCollection<T>, PCollection<T>> countInspected(String reason) {
    return new CountThrough<>(this, "CountInspected_", true, reason);
  }

  private static final class CountThrough<T> extends PTransform<PCollection<T>, PCollection<T>> {
    private final StageCounters counters;
    private final boolean asRead;
    private final String inspectedReason;

    CountThrough(StageCounters counters, String namePrefix, boolean asRead, String inspectedReason) {
      super(namePrefix + counters.stage);
      this.counters = counters;
      this.asRead = asRead;
      this.inspectedReason = inspectedReason;
    }

    @Override
    public PCollection<T> expand(PCollection<T> input) {
      return input
          .apply(
              ParDo.of(
                  new DoFn<T, T>() {
                    @ProcessElement
                    public void process(@Element T element, OutputReceiver<T> out) {
                      if (asRead) {
                        counters.read();
                      } else {
                        counters.written();
                      }
                      if (inspectedReason != null) {
                        counters.filtered(inspectedReason);
                      }
                      out.output(element);
                    }
                  }))
          .setCoder(input.getCoder());
    }
  }
}
