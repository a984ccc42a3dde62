package io.analyticsetl.transforms;

import io.analyticsetl.common.ledger.StageCounters;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * Keeps one row per natural key: the newest by a version column (an extraction time, a
 * processing date, an update counter). Rows with equal versions are told apart by their content,
 * so the choice does not depend on arrival order. Dropped rows are counted as filtered in the
 * ledger stage, with the reason "superseded by a newer version".
 *
 * <pre>{@code
 * rows.apply(Dedupe.byKey("platform", "account_id", "ad_id", "date").newestBy("extracted_at")
 *     .countingIn(StageCounters.of("dedupe_ads")));
 * }</pre>
 */
public final class Dedupe extends PTransform<PCollection<Row>, PCollection<Row>> {

  public static final String SUPERSEDED = "superseded by a newer version";

  private final List<String> keyFields;
  private final String versionField;
  private final StageCounters counters;

  private Dedupe(List<String> keyFields, String versionField, StageCounters counters) {
    this.keyFields = keyFields;
    this.versionField = versionField;
    this.counters = counters;
  }

  public static Dedupe byKey(String... fields) {
    return new Dedupe(List.copyOf(Arrays.asList(fields)), null, null);
  }

  /** The column whose greatest value marks the newest version (any comparable type). */
  public Dedupe newestBy(String field) {
    return new Dedupe(keyFields, field, counters);
  }

  public Dedupe countingIn(StageCounters stage) {
    return new Dedupe(keyFields, versionField, stage);
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> rows) {
    if (keyFields.isEmpty()) {
      throw new IllegalStateException("Dedupe: byKey(...) needs at least one field");
    }
    if (versionField == null) {
      throw new IllegalStateException("Dedupe: newestBy(field) is required");
    }
    Schema schema = rows.getSchema();
    Schema keySchema = keySchema(schema);
    List<String> fields = keyFields;
    return rows.apply(
            "Key",
            WithKeys.of(
                (Row row) -> {
                  Row.Builder key = Row.withSchema(keySchema);
                  fields.forEach(f -> key.addValue(row.getValue(f)));
                  return key.build();
                }))
        .setCoder(KvCoder.of(SchemaCoder.of(keySchema), SchemaCoder.of(schema)))
        .apply("GroupByKey", GroupByKey.create())
        .apply("KeepNewest", ParDo.of(new KeepNewest(versionField, counters)))
        .setRowSchema(schema);
  }

  private Schema keySchema(Schema schema) {
    Schema.Builder key = Schema.builder();
    for (String field : keyFields) {
      key.addField(schema.getField(field));
    }
    return key.build();
  }

  private static final class KeepNewest extends DoFn<KV<Row, Iterable<Row>>, Row> {
    private final String versionField;
    private final StageCounters counters;

    KeepNewest(String versionField, StageCounters counters) {
      this.versionField = versionField;
      this.counters = counters;
    }

    @ProcessElement
    public void process(@Element KV<Row, Iterable<Row>> group, OutputReceiver<Row> out) {
      Row newest = null;
      for (Row row : group.getValue()) {
        if (counters != null) {
          counters.read();
        }
        if (newest == null) {
          newest = row;
          continue;
        }
        if (newer(row, newest)) {
          newest = row;
        }
        if (counters != null) {
          counters.filtered(SUPERSEDED);
        }
      }
      if (counters != null) {
        counters.written();
      }
      out.output(newest);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private boolean newer(Row candidate, Row current) {
      Comparable a = (Comparable) candidate.getValue(versionField);
      Comparable b = (Comparable) current.getValue(versionField);
      if (a == null || b == null) {
        if (a != b) {
          return b == null;
        }
      } else if (a.compareTo(b) != 0) {
        return a.compareTo(b) > 0;
      }
      return candidate.toString().compareTo(current.toString()) > 0;
    }
  }
}
