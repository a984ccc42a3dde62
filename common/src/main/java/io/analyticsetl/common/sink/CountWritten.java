package io.analyticsetl.common.sink;

import io.analyticsetl.common.ledger.StageCounters;
import org.apache.beam.sdk.transforms.DoFn;

/** Adds a count of rows, known only once the sink has finished writing them, to a stage. */
final class CountWritten extends DoFn<Long, Void> {
  private final StageCounters stage;

  CountWritten(StageCounters stage) {
    this.stage = stage;
  }

  @ProcessElement
  public void process(@Element Long count) {
    stage.written(count);
  }
}
