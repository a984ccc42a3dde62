package io.analyticsetl.common.sink;

import java.io.IOException;
import java.io.Serializable;
import org.apache.beam.sdk.values.Row;

/**
 * Replaces one partition ({@code dt=.../app_id=...}) with its whole new content in one go. Sinks
 * that can replace a partition on its own offer one ({@link DatasetSink#partitionWriter}), so a
 * step that has computed a partition can write it there and then instead of handing the rows on.
 */
public interface PartitionWriter extends Serializable {

  /** Writes {@code rows} as the whole content of {@code partition}. */
  void write(String partition, Iterable<Row> rows) throws IOException;
}
