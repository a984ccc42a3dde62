package io.analyticsetl.common.sink;

import java.io.IOException;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;

/** Writes each element, a partition path and its whole content, with a {@link PartitionWriter}. */
final class WritePartitions extends DoFn<KV<String, Iterable<Row>>, Void> {
  private final PartitionWriter writer;

  WritePartitions(PartitionWriter writer) {
    this.writer = writer;
  }

  @ProcessElement
  public void process(@Element KV<String, Iterable<Row>> partition) throws IOException {
    writer.write(partition.getKey(), partition.getValue());
  }
}
