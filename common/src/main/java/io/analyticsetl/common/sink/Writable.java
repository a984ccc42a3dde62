package io.analyticsetl.common.sink;

import io.analyticsetl.common.deadletter.DeadLetter;
import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.schema.Column;
import io.analyticsetl.common.schema.ColumnType;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.values.Rows;
import java.math.BigDecimal;
import java.math.RoundingMode;
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
 * The rows every sink can store. Beam rows already hold each column's type and nullability; what
 * they do not bound is a DECIMAL's size, and a value with more digits before the point than its
 * column allows (after rounding to the column's scale, as every sink does) would fail the whole run
 * in any sink. Such a row is a dead letter instead, counted in the dataset's {@code write_} stage
 * (read and dead-lettered there; the sink counts the rows it takes as read and written).
 */
public final class Writable extends PTransform<PCollection<Row>, PCollectionTuple> {

  public static final TupleTag<Row> ROWS = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> REFUSED = new TupleTag<>() {};

  private final Dataset dataset;

  private Writable(Dataset dataset) {
    this.dataset = dataset;
  }

  public static Writable rowsOf(Dataset dataset) {
    return new Writable(dataset);
  }

  @Override
  public PCollectionTuple expand(PCollection<Row> rows) {
    PCollectionTuple checked =
        rows.apply("CheckWritable", ParDo.of(new Check(dataset)).withOutputTags(ROWS, TupleTagList.of(REFUSED)));
    checked.get(ROWS).setRowSchema(dataset.beamSchema());
    checked.get(REFUSED).setCoder(SerializableCoder.of(DeadLetter.class));
    return checked;
  }

  /** Why no sink can store the row, or null when every sink can. */
  public static String problem(Dataset dataset, Row row) {
    for (Column column : dataset.columns()) {
      if (column.type() != ColumnType.DECIMAL || row.getValue(column.name()) == null) {
        continue;
      }
      BigDecimal stored = row.getDecimal(column.name()).setScale(column.scale(), RoundingMode.HALF_EVEN);
      int allowed = column.precision() - column.scale();
      if (stored.precision() - stored.scale() > allowed) {
        return column.name() + " " + stored.toPlainString() + " does not fit DECIMAL(" + column.precision() + ","
            + column.scale() + "): at most " + allowed + " digits before the point";
      }
    }
    return null;
  }

  private static final class Check extends DoFn<Row, Row> {
    private final Dataset dataset;
    private final StageCounters stage;

    Check(Dataset dataset) {
      this.dataset = dataset;
      this.stage = StageCounters.of("write_" + dataset.name());
    }

    @ProcessElement
    public void process(@Element Row row, MultiOutputReceiver out) {
      String problem = problem(dataset, row);
      if (problem == null) {
        out.get(ROWS).output(row);
        return;
      }
      stage.read();
      stage.deadLettered();
      out.get(REFUSED).output(DeadLetter.of(stage.stage(), dataset.name(), Rows.toJson(row), "cannot be written: " + problem));
    }
  }
}
