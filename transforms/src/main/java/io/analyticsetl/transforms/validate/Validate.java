package io.analyticsetl.transforms.validate;

import io.analyticsetl.common.deadletter.DeadLetter;
import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.values.Rows;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Splits rows into those that pass every rule ({@link #VALID}) and dead letters ({@link #INVALID})
 * that carry the original row and every rule it failed, not only the first. Counts the stage in
 * the run ledger: each row read, then written (valid) or dead-lettered.
 *
 * <pre>{@code
 * PCollectionTuple checked = shops.apply(
 *     Validate.stage("read_shops").source("ecommerce.ecommerce_shops")
 *         .with(Rule.required("platform"), Rule.notBefore("deleted_at", "created_at")));
 * checked.get(Validate.VALID) ...; run.deadLetters(checked.get(Validate.INVALID));
 * }</pre>
 */
public final class Validate extends PTransform<PCollection<Row>, PCollectionTuple> {

  public static final TupleTag<Row> VALID = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> INVALID = new TupleTag<>() {};

  private final String stage;
  private final String source;
  private final List<Rule> rules;

  private Validate(String stage, String source, List<Rule> rules) {
    super("Validate_" + stage);
    this.stage = stage;
    this.source = source;
    this.rules = rules;
  }

  /** Starts a validation counted as the ledger stage {@code stage}. */
  public static Validate stage(String stage) {
    return new Validate(stage, null, List.of());
  }

  /** The table, file or URL the rows came from, recorded in dead letters. */
  public Validate source(String rowsSource) {
    return new Validate(stage, rowsSource, rules);
  }

  public Validate with(Rule... more) {
    List<Rule> all = new ArrayList<>(rules);
    all.addAll(Arrays.asList(more));
    return new Validate(stage, source, List.copyOf(all));
  }

  @Override
  public PCollectionTuple expand(PCollection<Row> rows) {
    if (source == null) {
      throw new IllegalStateException("Validate " + stage + ": source(...) is required");
    }
    if (rules.isEmpty()) {
      throw new IllegalStateException("Validate " + stage + ": with(...) needs at least one rule");
    }
    PCollectionTuple result =
        rows.apply(
            "CheckRules",
            ParDo.of(new CheckRules(StageCounters.of(stage), source, rules))
                .withOutputTags(VALID, TupleTagList.of(INVALID)));
    result.get(VALID).setCoder(rows.getCoder());
    result.get(INVALID).setCoder(SerializableCoder.of(DeadLetter.class));
    return result;
  }

  private static final class CheckRules extends DoFn<Row, Row> {
    private final StageCounters counters;
    private final String source;
    private final List<Rule> rules;

    CheckRules(StageCounters counters, String source, List<Rule> rules) {
      this.counters = counters;
      this.source = source;
      this.rules = rules;
    }

    @ProcessElement
    public void process(@Element Row row, MultiOutputReceiver out) {
      counters.read();
      List<String> failures = new ArrayList<>();
      for (Rule rule : rules) {
        String failure;
        try {
          failure = rule.check(row);
        } catch (RuntimeException e) {
          failure = "could not be checked: " + e.getMessage();
        }
        if (failure != null) {
          failures.add(rule.name() + " (" + failure + ")");
        }
      }
      if (failures.isEmpty()) {
        counters.written();
        out.get(VALID).output(row);
      } else {
        counters.deadLettered();
        out.get(INVALID)
            .output(
                DeadLetter.of(
                    counters.stage(),
                    source,
                    Rows.toJson(row),
                    "failed rules: " + String.join("; ", failures)));
      }
    }
  }
}
