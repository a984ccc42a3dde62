package io.analyticsetl.common.sink;

import io.analyticsetl.common.schema.ColumnType;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.schema.WriteMode;
import io.analyticsetl.common.values.DayRange;
import io.analyticsetl.common.values.LocalDateCoder;
import java.io.Serializable;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Where a pipeline's curated datasets go. Every sink writes the same rows with the same columns and
 * honours the dataset's {@link io.analyticsetl.common.schema.WriteMode}, so a rerun never
 * duplicates; pipelines never know which sink they write to.
 */
public interface DatasetSink extends Serializable {

  /** {@code parquet}, {@code bigquery} or {@code jdbc}. */
  String kind();

  /** Writes rows of {@code dataset} (rows must have {@link Dataset#beamSchema()}). */
  PTransform<PCollection<Row>, PDone> write(Dataset dataset);

  /**
   * Writes rows of a dataset partitioned by day alone, replacing every day of {@code days} whether
   * or not the run has rows for it: a day the source no longer has facts for is emptied, not left
   * with an earlier run's rows. Sinks that cannot empty a partition (BigQuery's load jobs only
   * replace partitions they load rows into) write as {@link #write(Dataset)} does.
   */
  default PTransform<PCollection<Row>, PDone> write(Dataset dataset, DayRange days) {
    checkReplacesDays(dataset);
    DatasetSink sink = this;
    List<LocalDate> replaced = days.days().toList();
    return new PTransform<>("ReplaceDays_" + dataset.name()) {
      @Override
      public PDone expand(PCollection<Row> rows) {
        PCollection<LocalDate> days = rows.getPipeline().apply("Days", Create.of(replaced).withCoder(LocalDateCoder.of()));
        return rows.apply(sink.writeReplacingDays(dataset, days));
      }
    };
  }

  /**
   * As {@link #write(Dataset, DayRange)}, for days a pipeline learns only as it runs (which shops'
   * days it recomputes, say): every day of {@code days} is replaced, emptied when it has no rows.
   */
  default PTransform<PCollection<Row>, PDone> writeReplacingDays(Dataset dataset, PCollection<LocalDate> days) {
    checkReplacesDays(dataset);
    return write(dataset);
  }

  /**
   * Upserts rows of an {@link WriteMode#UPSERT} dataset as {@link #write(Dataset)} does, and deletes
   * the stored rows with the natural keys of {@code deletions}, each unless the stored row is newer
   * (by the dataset's version column) than the deletion: how rows a source no longer reports leave
   * the table. Deletions have the dataset's schema; only their key and version are read.
   */
  PTransform<PCollection<Row>, PDone> upsert(Dataset dataset, PCollection<Row> deletions);

  /** Refuses {@link #upsert} for a dataset that is not upserted on a natural key. */
  static void checkUpserts(Dataset dataset) {
    if (dataset.writeMode() != WriteMode.UPSERT || dataset.naturalKey().isEmpty()) {
      throw new IllegalArgumentException(dataset.name() + " is not upserted on a natural key, so rows cannot be deleted by key");
    }
  }

  /** Refuses {@link #write(Dataset, DayRange)} for a dataset whose days are not whole partitions it replaces. */
  static void checkReplacesDays(Dataset dataset) {
    if (dataset.writeMode() != WriteMode.REPLACE_PARTITIONS) {
      throw new IllegalArgumentException(dataset.name() + " does not replace its partitions, so it cannot replace days");
    }
    dataset.dayPartitionPath(LocalDate.EPOCH); // refuses datasets with other partition keys
  }

  /**
   * A writer that replaces one partition at a time, for sinks that can (Parquet, for datasets whose
   * partitions are replaced); empty for the others, which need the rows as a collection.
   */
  default Optional<PartitionWriter> partitionWriter(Dataset dataset) {
    return Optional.empty();
  }

  /**
   * Writes rows already grouped by partition path ({@code dt=.../app_id=...}), each group being the
   * whole new content of its partition: with the {@link #partitionWriter} where there is one (no
   * shuffle), otherwise as {@link #write} does.
   */
  default PTransform<PCollection<KV<String, Iterable<Row>>>, PDone> writeGrouped(Dataset dataset) {
    DatasetSink sink = this;
    Optional<PartitionWriter> writer = partitionWriter(dataset);
    return new PTransform<>("WriteGrouped_" + dataset.name()) {
      @Override
      public PDone expand(PCollection<KV<String, Iterable<Row>>> partitions) {
        if (writer.isPresent()) {
          partitions.apply("WritePartitions", ParDo.of(new WritePartitions(writer.get())));
          return PDone.in(partitions.getPipeline());
        }
        return partitions
            .apply("Rows", Values.create())
            .apply("Flatten", Flatten.iterables())
            .setRowSchema(dataset.beamSchema())
            .apply(sink.write(dataset));
      }
    };
  }

  /** Reads the rows already in the target for {@code dataset} (empty when there are none yet). */
  PTransform<PBegin, PCollection<Row>> read(Dataset dataset);

  /**
   * Reads the rows of a day-partitioned dataset from {@code firstDay} on. Sinks that can leave the
   * older days unread do (Parquet skips their folders, JDBC asks with a WHERE); this default reads
   * everything and drops them.
   */
  default PTransform<PBegin, PCollection<Row>> read(Dataset dataset, LocalDate firstDay) {
    String dayColumn = dayColumn(dataset);
    DatasetSink sink = this;
    return new PTransform<>("ReadFrom_" + dataset.name()) {
      @Override
      public PCollection<Row> expand(PBegin begin) {
        return begin
            .apply(sink.read(dataset))
            .apply("FromDay", Filter.by(row -> !row.getLogicalTypeValue(dayColumn, LocalDate.class).isBefore(firstDay)))
            .setRowSchema(dataset.beamSchema());
      }
    };
  }

  /**
   * Each key's latest day in a day-partitioned dataset, keyed by the BIGINT column {@code keyColumn}:
   * where an incremental run goes on from. Sinks that can leave the other columns unread do (Parquet
   * reads two columns, JDBC asks the database to aggregate); this default reads the rows.
   */
  default PTransform<PBegin, PCollection<KV<Long, LocalDate>>> lastDays(Dataset dataset, String keyColumn) {
    String dayColumn = checkKeyedByDay(dataset, keyColumn);
    DatasetSink sink = this;
    return new PTransform<>("LastDays_" + dataset.name()) {
      @Override
      public PCollection<KV<Long, LocalDate>> expand(PBegin begin) {
        return begin
            .apply(sink.read(dataset))
            .apply(
                "KeyDay",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptor.of(LocalDate.class)))
                    .via(row -> KV.of(row.getInt64(keyColumn), row.getLogicalTypeValue(dayColumn, LocalDate.class))))
            .setCoder(KEY_DAY_CODER)
            .apply("Latest", Max.perKey());
      }
    };
  }

  KvCoder<Long, LocalDate> KEY_DAY_CODER = KvCoder.of(VarLongCoder.of(), LocalDateCoder.of());

  /** Refuses {@link #lastDays} for a key that is not a BIGINT column; returns the day column. */
  static String checkKeyedByDay(Dataset dataset, String keyColumn) {
    if (dataset.column(keyColumn).type() != ColumnType.BIGINT) {
      throw new IllegalArgumentException(keyColumn + " of " + dataset.name() + " is not a BIGINT column");
    }
    return dayColumn(dataset);
  }

  static String dayColumn(Dataset dataset) {
    return dataset.dateColumn()
        .orElseThrow(() -> new IllegalArgumentException(dataset.name() + " is not partitioned by day"));
  }
}
