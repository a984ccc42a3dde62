package io.analyticsetl.common.sink;

import io.analyticsetl.common.schema.Dataset;
import java.io.Serializable;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;

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

  /** Reads the rows already in the target for {@code dataset} (empty when there are none yet). */
  PTransform<PBegin, PCollection<Row>> read(Dataset dataset);
}
